//! The network and domain pages, and the same ranking of tied people on the site as in the
//! terminal.

use super::*;

#[test]
fn network_page_shows_the_network_metrics_per_person() {
    let repo = community();
    repo.run(["site", "build", "--out", "site"]).ok();
    let page = read(&repo.path().join("site/network.html"));
    let ctx = repo.run(["context", "--json"]).json();
    let bob = &ctx["network"]["people"]["bob"];
    // Bob's row: reviewers, reviewed, work reviewed, reviews given, then three decimals.
    let row = page
        .split("<tr>")
        .find(|r| r.contains(r#"<a href="/people/bob.html">Bob</a></th>"#))
        .expect("a metrics row for Bob");
    let expected = format!(
        "<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{:.3}</td>",
        bob["in_degree"], bob["out_degree"], bob["weighted_in"], bob["weighted_out"],
        bob["betweenness"].as_f64().unwrap()
    );
    assert!(row.contains(&expected), "{row}\nexpected {expected}");
    assert!(page.contains(&format!(
        "<strong>{:.3}</strong> density",
        ctx["network"]["density"].as_f64().unwrap()
    )));
}

#[test]
fn domain_pages_show_experts_and_truck_factor_from_guild_yml_domains() {
    let repo = community();
    repo.write(
        "guild.yml",
        "name: Demo guild\nopt_out:\n  - olga@example.com\ndomains:\n  parsing: [\"src/parser.rs\"]\n  lexing: [\"src/lexer.rs\"]\n  ops: [\"ops/**\"]\n",
    )
    .commit_by("Carol <carol@example.com>", "2024-04-21", "Domains")
    // Only Alice ever touched ops/: that domain hangs on her.
    .write("ops/deploy.sh", "echo deploy\n")
    .commit_by("Alice Smith <alice@example.com>", "2024-04-21", "Deploy script");
    repo.run(["site", "build", "--out", "site"]).ok();
    let ctx = repo.run(["context", "--json"]).json();
    let parsing = ctx["domains"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "parsing")
        .expect("the parsing domain");
    let page = read(&repo.path().join("site/domains/parsing.html"));
    let expert = &parsing["experts"][0];
    // Bob wrote src/parser.rs (PR #1): he is its first expert, with his numbers.
    assert_eq!(expert["id"], "bob");
    let row = page
        .split("<tr>")
        .find(|r| r.contains(r#"<a href="/people/bob.html">Bob</a></th>"#))
        .expect("an expert row for Bob");
    assert!(
        row.contains(&format!(
            "<td class=\"num\">{:.2}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td>",
            expert["score"].as_f64().unwrap(),
            expert["authored"],
            expert["reviewed"],
            expert["last_active"].as_str().unwrap()
        )),
        "{row}"
    );
    assert!(page.contains(&format!(
        "<strong>{}</strong> truck factor",
        parsing["truck_factor"]
    )));
    let index = read(&repo.path().join("site/domains/index.html"));
    assert!(index.contains(r#"<a href="/domains/parsing.html">parsing</a>"#));
    assert!(index.contains(r#"<a href="/domains/lexing.html">lexing</a>"#));
    // The home page names the domains at risk (truck factor 0 or 1), and only those.
    let home = read(&repo.path().join("site/index.html"));
    let health = &home[home.find("Domains at risk").expect("domains at risk")..];
    let health = &health[..health.find("</dd>").unwrap()];
    assert!(
        health.contains(r#"<a href="/domains/ops.html">ops</a> <small>(truck factor 1)</small>"#),
        "{health}"
    );
    for d in ctx["domains"].as_array().unwrap() {
        let shown = format!(
            r#"<a href="/domains/{0}.html">{0}</a> <small>(truck factor {1})</small>"#,
            d["name"].as_str().unwrap(),
            d["truck_factor"]
        );
        assert_eq!(
            health.contains(&shown),
            d["truck_factor"].as_u64().unwrap() <= 1,
            "{health}"
        );
    }
    // Bob's page links his domain.
    let bob = read(&repo.path().join("site/people/bob.html"));
    assert!(bob.contains(r#"<a href="/domains/parsing.html">parsing</a>"#));
}

#[test]
fn domains_whose_names_slug_alike_get_their_own_pages_and_links() {
    // `C++` and `C` both slug to `c`, and `Index` to the domain list's own `index`: each
    // must get its own page, suffixed in sorted-name order (`C` < `C++`), and every link
    // to a domain must point to that domain's page.
    let repo = Repo::new();
    repo.write(
        "guild.yml",
        "name: Demo guild\ndomains:\n  \"C++\": [\"cpp/**\"]\n  \"C\": [\"c/**\"]\n  \"Index\": [\"idx/**\"]\n",
    )
    .commit_by("Alice <alice@example.com>", "2024-01-02", "Initial commit")
    .write("cpp/a.cpp", "int main() {}\n")
    .commit_by("Bob <bob@example.com>", "2024-02-01", "C++ code")
    .write("c/a.c", "int main(void) {}\n")
    .commit_by("Carol <carol@example.com>", "2024-02-02", "C code")
    .write("idx/a.txt", "index\n")
    .commit_by("Dan <dan@example.com>", "2024-02-03", "Index");
    repo.run(["site", "build", "--out", "site"]).ok();
    let ctx = repo.run(["context", "--json"]).json();
    let expert_of = |name: &str| {
        let d = ctx["domains"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["name"] == name)
            .unwrap_or_else(|| panic!("domain {name}"));
        d["experts"][0]["id"].as_str().unwrap().to_string()
    };
    assert_eq!(expert_of("C"), "carol");
    assert_eq!(expert_of("C++"), "bob");
    assert_eq!(expert_of("Index"), "dan");

    let site = repo.path().join("site");
    for (file, name, expert) in [
        ("c.html", "C", "carol"),
        ("c-2.html", "C++", "bob"),
        ("index-2.html", "Index", "dan"),
    ] {
        let page = read(&site.join("domains").join(file));
        assert!(page.contains(&format!("<h1>Domain: {name}</h1>")), "{file}");
        assert!(
            page.contains(&format!(r#"href="/people/{expert}.html""#)),
            "{file} lists its expert {expert}"
        );
    }
    let index = read(&site.join("domains/index.html"));
    assert!(
        index.contains("<h1>Domains</h1>"),
        "the list keeps its own page"
    );
    let link = |file: &str, name: &str| format!(r#"<a href="/domains/{file}">{name}</a>"#);
    for (file, name) in [
        ("c.html", "C"),
        ("c-2.html", "C++"),
        ("index-2.html", "Index"),
    ] {
        assert!(index.contains(&link(file, name)), "domain list: {name}");
    }
    // Each expert's page, the home page's domains at risk and the newcomers' mentors per
    // domain all link the same pages.
    let carol = read(&site.join("people/carol.html"));
    let bob = read(&site.join("people/bob.html"));
    assert!(carol.contains(&link("c.html", "C")) && !carol.contains("/domains/c-2.html"));
    assert!(bob.contains(&link("c-2.html", "C++")) && !bob.contains("/domains/c.html"));
    let home = read(&site.join("index.html"));
    let newcomers = read(&site.join("newcomers.html"));
    for page in [&home, &newcomers] {
        for (file, name) in [
            ("c.html", "C"),
            ("c-2.html", "C++"),
            ("index-2.html", "Index"),
        ] {
            assert!(page.contains(&link(file, name)), "{name}");
        }
    }
}

/// The site ranked tied people by id, the terminal by reviewer score first: both now read
/// the one ranking in the snapshot (`rank`).
#[test]
fn site_and_terminal_rank_tied_people_the_same_way() {
    let repo = Repo::new();
    repo.commit_by("Adam <adam@example.com>", "2024-01-01", "one")
        .commit_by("Adam <adam@example.com>", "2024-01-02", "two")
        .commit_by(
            "Carl <carl@example.com>",
            "2024-01-03",
            "three\n\nAcked-by: Zoe <zoe@example.com>",
        );
    // Adam: 2 (contributor). Zoe: 2 (reviewer). Carl: 1.
    let rep = repo.run(["reputation", "--format", "json"]).json();
    let order: Vec<&str> = rep
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        order,
        ["zoe", "adam", "carl"],
        "ties by reviewer score, then id"
    );
    assert_eq!(rep[0]["rank"], 1);
    repo.run(["site", "build", "--out", "site"]).ok();
    let html = std::fs::read_to_string(repo.path().join("site/people/index.html")).unwrap();
    let at = |id: &str| {
        html.find(&format!("/people/{id}.html"))
            .unwrap_or_else(|| panic!("{id} in the directory"))
    };
    assert!(at("zoe") < at("adam") && at("adam") < at("carl"), "{html}");
}
