//! The search index of the site (what `site.js` searches), in two parts so that the search
//! page loads little (Pagefind's design, the field's best static search):
//! - `search-index.json`, always loaded: people and docs with what their names are made of.
//!   The script splits names, ids, logins, domains, titles, kinds and tags into words
//!   itself, so no word list of them is shipped;
//! - `search/<n>.json`, the words of doc bodies in shards of consecutive words (about
//!   [`SHARD_BYTES`] each), fetched only when a query has a word that may be in them. A
//!   shard maps each word to the docs whose body has it.
//!
//! Snippets come from the doc pages of the top results, read only when shown, so no body
//! text is in the index. What it deliberately does not do: match inside words (`loom` finds
//! "loom", not "Bloom") or search bodies for one-letter words (names and titles still match).

use super::*;

/// The search files: `search-index.json` and the body shards (`search/<n>.json`), by
/// path in the output folder.
///
/// `search-index.json` holds `kinds`, `domains` and `tags` (names, referred to by their
/// place), `people` (columns `[name, id, page, login, [domain]]`, one row per person: `page` empty when it is
/// the id, `login` empty when it is the id in another case; the domains they are experts
/// in), `docs` (columns `[title, page, kind, domain, [tag], date]`, one row per doc: `page` under `docs/`
/// without `.html`, shortened by [`short_page`], `domain` -1 for none, `date` empty when
/// the page name holds it) and `shards`, the first word of each body shard (shard `n` holds
/// the words from `shards[n]` up to `shards[n + 1]`, in code point order). A shard maps
/// words to doc numbers (places in `docs`), delta-encoded (`[3, 1, 4]` is docs 3, 4, 8).
pub(super) fn files(input: &Community, ctx: &Ctx<'_>) -> Vec<(String, Vec<u8>)> {
    let c = input;
    // The page without its folder and `.html` (`people/bob.html` → `bob`).
    let rel = |url: Option<&String>, folder: &str| -> String {
        url.map(|u| {
            let r = u.strip_prefix(ctx.base).unwrap_or(u);
            let r = r.strip_prefix(folder).unwrap_or(r);
            r.strip_suffix(".html").unwrap_or(r).to_string()
        })
        .unwrap_or_default()
    };
    let mut domain_names: Vec<&str> = c.domains.iter().map(|d| d.name.as_str()).collect();
    domain_names.extend(c.docs.iter().filter_map(|d| d.domain.as_deref()));
    let domain_names = Names::new(domain_names);
    let kinds = Names::new(c.docs.iter().map(|d| d.kind.as_str()).collect());
    let tags = Names::new(
        c.docs
            .iter()
            .flat_map(|d| &d.tags)
            .map(String::as_str)
            .collect(),
    );
    let mut expert_in: HashMap<&str, Vec<usize>> = HashMap::new();
    for d in &c.domains {
        for e in &d.experts {
            expert_in
                .entry(e.id.as_str())
                .or_default()
                .push(domain_names.at(&d.name));
        }
    }
    let people: Vec<Value> = c
        .people
        .iter()
        .map(|p| {
            let page = rel(ctx.people.get(p.id.as_str()).map(|x| &x.1), "people/");
            let login = c
                .site
                .logins
                .get(&p.id)
                .filter(|l| !l.eq_ignore_ascii_case(&p.id));
            json!([
                p.name,
                p.id,
                if page == p.id { "" } else { page.as_str() },
                login.map_or("", String::as_str),
                expert_in.get(p.id.as_str()).cloned().unwrap_or_default(),
            ])
        })
        .collect();
    let mut bodies: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    let mut docs: Vec<Value> = Vec::with_capacity(c.docs.len());
    for (n, d) in c.docs.iter().enumerate() {
        let page = rel(ctx.doc_urls.get(&d.path), "docs/");
        let date = if first_date(&page) == Some(d.date.as_str()) {
            ""
        } else {
            d.date.as_str()
        };
        docs.push(json!([
            title_of(d),
            short_page(&page, title_of(d)),
            kinds.at(&d.kind),
            d.domain
                .as_deref()
                .map_or(-1, |x| domain_names.at(x) as i64),
            d.tags.iter().map(|t| tags.at(t)).collect::<Vec<_>>(),
            date,
        ]));
        for w in body_words(&markdown::plain_text(&d.body)) {
            bodies.entry(w).or_default().push(n as u32);
        }
    }
    // Shards of consecutive words (in code point order) of about SHARD_BYTES each.
    let mut shards: Vec<serde_json::Map<String, Value>> = Vec::new();
    let mut firsts: Vec<String> = Vec::new();
    let mut size = usize::MAX;
    for (w, ids) in bodies {
        let list = json!(delta(&ids));
        let len = w.len() + list.to_string().len() + 4;
        if size.saturating_add(len) > SHARD_BYTES && size > 0 {
            shards.push(Default::default());
            firsts.push(w.clone());
            size = 0;
        }
        size += len;
        if let Some(last) = shards.last_mut() {
            last.insert(w, list);
        }
    }
    let index = json!({
        "v": 2,
        "kinds": kinds.list,
        "domains": domain_names.list,
        "tags": tags.list,
        "people": columns(people, 5),
        "docs": columns(docs, 6),
        "shards": firsts,
    });
    let mut out = vec![(
        "search-index.json".to_string(),
        serde_json::to_vec(&index).unwrap_or_default(),
    )];
    for (i, map) in shards.into_iter().enumerate() {
        out.push((
            format!("search/{i}.json"),
            serde_json::to_vec(&map).unwrap_or_default(),
        ));
    }
    out
}

/// The first `YYYY-MM-DD` in a page name, as `site.js` finds it (`/\d{4}-\d\d-\d\d/`).
fn first_date(page: &str) -> Option<&str> {
    let b = page.as_bytes();
    let digit = |i: usize| b[i].is_ascii_digit();
    (0..b.len().saturating_sub(9))
        .find(|&i| {
            (0..4).all(|k| digit(i + k))
                && b[i + 4] == b'-'
                && digit(i + 5)
                && digit(i + 6)
                && b[i + 7] == b'-'
                && digit(i + 8)
                && digit(i + 9)
        })
        .map(|i| &page[i..i + 10])
}

/// About how many bytes of JSON a body shard holds (a word's list is never split).
const SHARD_BYTES: usize = 24 * 1024;

/// A doc's page as the index stores it: the page with `*` in place of `-<slug of the
/// title>` when the title is ASCII and the page ends so (as `cargo guild new` names docs),
/// which `site.js` puts back; otherwise the page itself.
fn short_page(page: &str, title: &str) -> String {
    if !title.is_ascii() || page.contains('*') {
        return page.to_string();
    }
    let slug = ascii_slug(title);
    match page.strip_suffix(slug.as_str()) {
        Some(rest) if !slug.is_empty() && (rest.is_empty() || rest.ends_with('-')) => {
            format!("{}*", rest.strip_suffix('-').unwrap_or(rest))
        }
        _ => page.to_string(),
    }
}

/// An ASCII title's slug as `site.js` makes it: lowercase letters and digits, other runs
/// one `-`, none at the ends, at most 80 bytes.
fn ascii_slug(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let mut out = out.trim_end_matches('-').to_string();
    if out.len() > 80 {
        out.truncate(80);
        out = out.trim_end_matches('-').to_string();
    }
    out
}

/// Rows of `width` fields as `width` columns: a column of titles, one of pages... packs
/// tighter than rows (gzip finds more alike next to each other: a sixth smaller here).
fn columns(rows: Vec<Value>, width: usize) -> Vec<Vec<Value>> {
    let mut out = vec![Vec::with_capacity(rows.len()); width];
    for row in rows {
        if let Value::Array(fields) = row {
            for (column, field) in out.iter_mut().zip(fields) {
                column.push(field);
            }
        }
    }
    out
}

/// Names (kinds, domains, tags) sorted and deduplicated, each referred to by its place.
struct Names<'a> {
    list: Vec<&'a str>,
}

impl<'a> Names<'a> {
    fn new(mut list: Vec<&'a str>) -> Names<'a> {
        list.sort_unstable();
        list.dedup();
        Names { list }
    }

    /// The place of a name given to [`Names::new`].
    fn at(&self, name: &str) -> usize {
        self.list.binary_search(&name).unwrap_or(0)
    }
}

/// `[3, 4, 8]` → `[3, 1, 4]`: ascending numbers as differences, shorter in JSON.
fn delta(ids: &[u32]) -> Vec<u32> {
    let mut prev = 0;
    ids.iter()
        .map(|&i| {
            let x = i - prev;
            prev = i;
            x
        })
        .collect()
}

/// How many words of a doc's body are indexed (the snippets come from the doc page itself).
const BODY_WORDS: usize = 150;

/// Words too common to find anything by (English, three letters or more).
const STOP_WORDS: &[&str] = &[
    "about", "after", "all", "also", "and", "any", "are", "because", "been", "before", "but",
    "can", "could", "did", "does", "each", "for", "from", "had", "has", "have", "her", "his",
    "how", "into", "its", "just", "more", "most", "not", "now", "one", "only", "other", "our",
    "out", "over", "she", "should", "some", "than", "that", "the", "their", "them", "then",
    "there", "these", "they", "this", "those", "through", "too", "under", "very", "was", "way",
    "were", "what", "when", "where", "which", "while", "who", "why", "will", "with", "would",
    "you", "your",
];

/// The words of a doc body worth indexing: among its first [`BODY_WORDS`] words, those of
/// three letters or more that are not stop words, each once.
fn body_words(s: &str) -> Vec<String> {
    let mut seen = HashSet::new();
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(BODY_WORDS)
        .filter(|w| (3..=40).contains(&w.chars().count()))
        .map(str::to_lowercase)
        .filter(|w| !STOP_WORDS.contains(&w.as_str()) && seen.insert(w.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::body_words;

    #[test]
    fn bodies_index_words_of_three_letters_or_more_without_stop_words() {
        assert_eq!(
            body_words("The loom is a model checker; we use it, and the LOOM tests."),
            ["loom", "model", "checker", "use", "tests"]
        );
        let long: String = (0..200).map(|i| format!("w{i:03} ")).collect();
        let words = body_words(&long);
        assert_eq!(words.len(), super::BODY_WORDS);
        assert_eq!(words.last().map(String::as_str), Some("w149"));
    }
}
