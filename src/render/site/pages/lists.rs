//! Long lists on pages of their own: a page shows a count and the first few, and links to
//! the whole list, split into numbered pages that work without JavaScript (1,300 people or
//! 10,000 docs never land on one page).

use std::sync::Arc;

use super::*;

/// Rows per page of a paged list.
pub(super) const PER_PAGE: usize = 100;

/// How many of a long list a summary shows before linking to the whole list.
pub(super) const PREVIEW: usize = 10;

/// The file of page `n` (1-based) of a list whose first page is `first`:
/// `people/index.html` → `people/page-2.html`, `network/isolates.html` → `network/isolates-2.html`.
pub(super) fn page_file(first: &str, n: usize) -> String {
    if n <= 1 {
        return first.to_string();
    }
    let (dir, file) = match first.rsplit_once('/') {
        Some((d, f)) => (format!("{d}/"), f),
        None => (String::new(), first),
    };
    let stem = file.strip_suffix(".html").unwrap_or(file);
    let stem = if stem == "index" { "page" } else { stem };
    format!("{dir}{stem}-{n}.html")
}

/// The URL of a page file (`people/index.html` is linked as `people/`).
pub(super) fn file_url(ctx: &Ctx<'_>, file: &str) -> String {
    match file.strip_suffix("index.html") {
        Some(dir) if dir.is_empty() || dir.ends_with('/') => ctx.url(dir),
        _ => ctx.url(file),
    }
}

/// How many pages `len` rows take.
pub(super) fn page_count(len: usize) -> usize {
    len.div_ceil(PER_PAGE).max(1)
}

/// The pager of page `k` of `n`: previous, next, and the pages around `k` (first and last
/// always), `null` when everything fits on one page.
fn pager(ctx: &Ctx<'_>, first: &str, k: usize, n: usize) -> Value {
    if n <= 1 {
        return Value::Null;
    }
    let url = |i: usize| file_url(ctx, &page_file(first, i));
    let mut shown: Vec<usize> = (1..=n)
        .filter(|&i| i == 1 || i == n || i.abs_diff(k) <= 2)
        .collect();
    shown.dedup();
    let mut pages = Vec::new();
    let mut last = 0;
    for i in shown {
        if i > last + 1 {
            pages.push(json!({"gap": true}));
        }
        pages.push(json!({"n": i, "url": url(i), "current": i == k}));
        last = i;
    }
    json!({
        "page": k,
        "of": n,
        "prev": (k > 1).then(|| url(k - 1)),
        "next": (k < n).then(|| url(k + 1)),
        "pages": pages,
    })
}

/// A paged list: what every page of it shares.
pub(super) struct Paged<'a> {
    /// The first page's file (`network/isolates.html`).
    pub first: String,
    pub template: &'static str,
    pub title: String,
    pub description: String,
    pub nav: &'static str,
    /// Data every page gets besides `rows`, `count`, `from`, `to` and `pager`.
    pub data: Value,
    pub rows: Vec<Value>,
    pub ctx: &'a Ctx<'a>,
}

impl Paged<'_> {
    pub fn pages(mut self, pages: &mut Vec<Page>) {
        let rows = std::mem::take(&mut self.rows);
        self.split(rows, |mut page, chunk| {
            page.data["rows"] = Value::Array(chunk);
            pages.push(page);
        });
    }

    /// [`Paged::pages`] with rows as (index into `refs`, count), built only when each page
    /// is rendered ([`Deferred`]).
    pub fn deferred(self, refs: &Arc<Vec<Value>>, rows: Vec<(u32, u64)>, out: &mut Vec<Deferred>) {
        self.split(rows, |page, chunk| {
            out.push(Deferred {
                page,
                refs: Arc::clone(refs),
                rows: chunk,
            })
        });
    }

    /// The pages of `rows`, each with its chunk of them (the data has all but `rows`).
    fn split<R>(self, rows: Vec<R>, mut push: impl FnMut(Page, Vec<R>)) {
        let total = rows.len();
        let n = page_count(total);
        let mut rows = rows.into_iter();
        for k in 1..=n {
            let chunk: Vec<R> = rows.by_ref().take(PER_PAGE).collect();
            let mut data = self.data.clone();
            let from = (k - 1) * PER_PAGE;
            data["count"] = json!(total);
            data["from"] = json!(from + usize::from(total > 0));
            data["to"] = json!(from + chunk.len());
            data["pager"] = pager(self.ctx, &self.first, k, n);
            let title = if n > 1 {
                format!("{} (page {k} of {n})", self.title)
            } else {
                self.title.clone()
            };
            data["title"] = json!(title);
            push(
                Page {
                    path: page_file(&self.first, k),
                    template: self.template,
                    description: self.description.clone(),
                    title,
                    nav: self.nav,
                    data,
                },
                chunk,
            );
        }
    }
}

/// A page of a long list of people whose rows are made only when it is rendered: until
/// then a row is two numbers, not a JSON object of a few hundred bytes. The ties of a
/// two-million-event organisation (a million rows on people's `reviewed` pages) would
/// otherwise be most of the site build's memory.
pub struct Deferred {
    page: Page,
    /// Each person's `{id, name, url}`, shared by every page.
    refs: Arc<Vec<Value>>,
    rows: Vec<(u32, u64)>,
}

impl Deferred {
    /// The page with its rows: `refs[i]` with `count`.
    pub fn page(self) -> Page {
        let mut page = self.page;
        page.data["rows"] = Value::Array(Deferred::rows(&self.refs, &self.rows));
        page
    }

    /// The rows: `refs[i]` with `count`.
    pub(super) fn rows(refs: &[Value], rows: &[(u32, u64)]) -> Vec<Value> {
        rows.iter()
            .map(|&(i, n)| {
                let mut r = refs.get(i as usize).cloned().unwrap_or(Value::Null);
                r["count"] = json!(n);
                r
            })
            .collect()
    }
}

/// The first `PREVIEW` of a list, the count, and where the whole list is: what a summary
/// (the home page, a person's ties) shows of a long list.
pub(super) fn preview(rows: Vec<Value>, all_url: Option<String>) -> Value {
    let count = rows.len();
    preview_of(count, rows.into_iter().take(PREVIEW).collect(), all_url)
}

/// [`preview`] of a list of `count` rows whose first ones are `shown`.
pub(super) fn preview_of(count: usize, shown: Vec<Value>, all_url: Option<String>) -> Value {
    json!({
        "count": count,
        "shown_count": shown.len(),
        "shown": shown,
        "more": count.saturating_sub(PREVIEW),
        "url": all_url.filter(|_| count > PREVIEW),
    })
}

#[cfg(test)]
mod tests {
    use super::page_file;

    #[test]
    fn pages_are_numbered_next_to_the_first() {
        assert_eq!(page_file("people/index.html", 1), "people/index.html");
        assert_eq!(page_file("people/index.html", 3), "people/page-3.html");
        assert_eq!(
            page_file("network/isolates.html", 2),
            "network/isolates-2.html"
        );
        assert_eq!(page_file("x.html", 2), "x-2.html");
    }
}
