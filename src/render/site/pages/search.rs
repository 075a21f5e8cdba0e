//! The search index of the site (what `site.js` searches).

use super::*;

/// The search index, fetched once by the search page:
/// - `items`: one `[kind, title, page, detail]` per person (kind 0, page `people/<page>.html`)
///   and doc (kind 1, page `docs/<page>.html`);
/// - `names`: word → items, from names, ids and logins, the domains a person is an expert
///   in, and docs' titles, kinds, domains and tags (matches here rank first);
/// - `text`: word → items, from the first [`BODY_WORDS`] words of doc bodies (markup and
///   comments left out), words of three letters or more and no [`STOP_WORDS`]: a body is
///   found by what it is about, and the index for 10,000 docs stays small.
///
/// Item lists are delta-encoded (`[3, 1, 4]` is items 3, 4, 8), which keeps 10,000 docs'
/// index small. Words are lowercase runs of letters and digits, as `search.js` splits a
/// query, and the script matches them from their start (`loom` finds "loom", not "Bloom").
pub(super) fn index(input: &Community, ctx: &Ctx<'_>) -> Vec<u8> {
    let c = input;
    let mut items: Vec<Value> = Vec::with_capacity(c.people.len() + c.docs.len());
    let mut names: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    let mut text: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    let add = |map: &mut BTreeMap<String, Vec<u32>>, id: u32, s: &str| {
        for w in words(s) {
            let list = map.entry(w).or_default();
            if list.last() != Some(&id) {
                list.push(id);
            }
        }
    };
    // The page without its folder and `.html` (`people/bob.html` → `bob`): the kind says
    // which folder, and 10,000 docs' addresses weigh less.
    let rel = |url: Option<&String>, folder: &str| -> String {
        url.map(|u| {
            let r = u.strip_prefix(ctx.base).unwrap_or(u);
            let r = r.strip_prefix(folder).unwrap_or(r);
            r.strip_suffix(".html").unwrap_or(r).to_string()
        })
        .unwrap_or_default()
    };
    let mut expert_in: HashMap<&str, Vec<&str>> = HashMap::new();
    for d in &c.domains {
        for e in &d.experts {
            expert_in
                .entry(e.id.as_str())
                .or_default()
                .push(d.name.as_str());
        }
    }
    for p in &c.people {
        let id = items.len() as u32;
        let domains = expert_in.get(p.id.as_str()).cloned().unwrap_or_default();
        let login = c.site.logins.get(&p.id);
        let mut detail = p.id.clone();
        if let Some(l) = login.filter(|l| !l.eq_ignore_ascii_case(&p.id)) {
            detail.push_str(&format!(" · @{l}"));
        }
        if !domains.is_empty() {
            detail.push_str(&format!(" · {}", domains.join(", ")));
        }
        add(&mut names, id, &p.name);
        add(&mut names, id, &p.id);
        if let Some(l) = login {
            add(&mut names, id, l);
        }
        for d in &domains {
            add(&mut names, id, d);
        }
        items.push(json!([
            0,
            p.name,
            rel(ctx.people.get(p.id.as_str()).map(|x| &x.1), "people/"),
            detail
        ]));
    }
    for d in &c.docs {
        let id = items.len() as u32;
        let mut detail = format!("{} · {}", d.kind, d.date);
        if let Some(dom) = &d.domain {
            detail.push_str(&format!(" · {dom}"));
        }
        for t in &d.tags {
            detail.push_str(&format!(" #{t}"));
        }
        add(&mut names, id, title_of(d));
        add(&mut names, id, &d.kind);
        add(&mut names, id, d.domain.as_deref().unwrap_or(""));
        for t in &d.tags {
            add(&mut names, id, t);
        }
        let body = markdown::plain_text(&d.body);
        for w in body_words(&body) {
            let list = text.entry(w).or_default();
            if list.last() != Some(&id) {
                list.push(id);
            }
        }
        items.push(json!([
            1,
            title_of(d),
            rel(ctx.doc_urls.get(&d.path), "docs/"),
            detail
        ]));
    }
    let delta = |map: BTreeMap<String, Vec<u32>>| -> serde_json::Map<String, Value> {
        map.into_iter()
            .map(|(w, ids)| {
                let mut prev = 0;
                let d: Vec<u32> = ids
                    .into_iter()
                    .map(|i| {
                        let x = i - prev;
                        prev = i;
                        x
                    })
                    .collect();
                (w, json!(d))
            })
            .collect()
    };
    serde_json::to_vec(&json!({
        "items": items,
        "names": delta(names),
        "text": delta(text),
    }))
    .unwrap_or_default()
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

/// The words of a text for the search index: lowercase runs of letters and digits, each
/// once, in order.
fn words(s: &str) -> Vec<String> {
    let mut seen = HashSet::new();
    let mut out: Vec<String> = Vec::new();
    for w in s.split(|c: char| !c.is_alphanumeric()) {
        if w.is_empty() || w.chars().count() > 40 {
            continue;
        }
        let w = w.to_lowercase();
        if seen.insert(w.clone()) {
            out.push(w);
        }
    }
    out
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
