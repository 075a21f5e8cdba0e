//! The sections other analyses add to the snapshot render as soon as they are there.

use super::*;
use crate::snapshot::domains::{
    DomainSummary, ExpertSummary, InactiveOwnerSummary, SinglePointSummary,
};
use crate::snapshot::{Counts, DocSummary, PersonSummary, RuleTotal};
use std::collections::BTreeMap;

fn person(id: &str, name: &str, total: u64) -> PersonSummary {
    PersonSummary {
        rank: 0,
        id: id.into(),
        name: name.into(),
        is_bot: false,
        first_seen: Some("2024-01-01T00:00:00Z".into()),
        last_seen: Some("2024-03-01T00:00:00Z".into()),
        counts: Counts::default(),
        reputation: crate::analysis::reputation::Score {
            total,
            contributor: total,
            reviewer: 0,
        },
        breakdown: vec![RuleTotal {
            rule: "pr_merged".into(),
            count: 1,
            points: total,
        }],
        badges: Vec::new(),
        ladder: None,
    }
}

#[test]
fn network_domains_newcomers_and_badges_render_when_present() {
    let community = Community {
        schema_version: 1,
        name: "Test".into(),
        head: "0123456789abcdef".into(),
        as_of: "2024-03-01T00:00:00Z".into(),
        people: vec![person("ann", "Ann", 30), person("ben", "Ben", 10)],
        docs: vec![DocSummary {
            id: "guide/2024-01-01-start".into(),
            status: None,
            path: "community/guides/2024-01-01-start.md".into(),
            title: "Start here".into(),
            kind: "guide".into(),
            date: "2024-01-01".into(),
            domain: Some("parser".into()),
            tags: vec![],
            authors: vec!["ann".into()],
            facilitator: None,
            participants: vec![],
            body: "Read this first.".into(),
        }],
        docs_dir: "community".into(),
        ..Default::default()
    };
    use crate::analysis::{badges, network, newcomers};
    let mut community = community;
    community.people[0].badges = vec![badges::Badge {
        id: "mentor".to_string(),
        tier: badges::Tier::Gold,
        domain: Some("parser".into()),
        earned_at: "2024-02-01T10:00:00Z".into(),
        score: 12,
        count: 3,
    }];
    community.people[0].ladder = Some(newcomers::LadderStatus {
        step: Some("reviewer".into()),
        index: Some(2),
        next: Some("maintainer".into()),
        missing: vec![newcomers::Missing {
            what: "reviews_given".to_string(),
            have: 30,
            need: 40,
        }],
    });
    let node = |betweenness| network::PersonNode {
        name: String::new(),
        metrics: network::NodeMetrics {
            betweenness,
            ..Default::default()
        },
    };
    community.network.density = 0.5;
    community.network.people =
        BTreeMap::from([("ann".into(), node(0.25)), ("ben".into(), node(0.0))]);
    community.network.edges = vec![network::Edge {
        from: "ann".into(),
        to: "ben".into(),
        weight: 2,
        kinds: Default::default(),
        last: None,
    }];
    community.network.brokers = vec![network::Broker {
        id: "ann".into(),
        betweenness: 0.25,
        articulation_point: false,
        domains: vec![],
        between_domains: false,
    }];
    // Ann reviewed Ben's first work and is still active (the pulse analysis says so).
    community.pulse.available_mentors = vec![crate::analysis::pulse::AvailableMentor {
        id: "ann".into(),
        newcomers: 1,
        reviews: 1,
    }];
    community.newcomers.people = vec![newcomers::Newcomer {
        id: "ben".into(),
        name: "Ben".into(),
        first_contribution: "2024-01-01T00:00:00Z".into(),
        first_kind: "pr_merged".to_string(),
        first_work: "#1".into(),
        first_review_at: None,
        days_to_first_review: Some(2.0),
        second_contribution_at: None,
        returned: false,
        mentors: vec![newcomers::Mentor {
            id: "ann".into(),
            reviews: 1,
        }],
        ladder: None,
    }];
    community.domains = vec![DomainSummary {
        name: "parser".into(),
        source: "guild.yml".to_string(),
        files: 3,
        work: 7,
        experts: vec![ExpertSummary {
            id: "ann".into(),
            name: "Ann".into(),
            score: 3.5,
            authored: 2,
            reviewed: 1,
            last_active: "2024-02-01".into(),
        }],
        contributor_absence_factor: 1,
        truck_factor: 1,
        single_points_of_failure: vec![SinglePointSummary {
            id: "ann".into(),
            name: "Ann".into(),
            files: 3,
            whole_domain: true,
            sample_files: vec!["src/<b>.rs".into()],
        }],
        inactive_owners: vec![InactiveOwnerSummary {
            owner: "@ghost".into(),
            file: "CODEOWNERS".into(),
            line: 2,
            pattern: "/src/".into(),
            last_seen: None,
        }],
    }];
    let input = community;
    let site = build(
        &input,
        &Options {
            base_url: "/".into(),
            templates: None,
        },
    )
    .unwrap();
    let page = |p: &str| String::from_utf8(site.files[p].clone()).unwrap();
    let ann = page("people/ann.html");
    assert!(
        ann.contains("tier-gold") && ann.contains("Mentor") && ann.contains("earned 2024-02-01<"),
        "badges"
    );
    assert!(
        ann.contains("10 more reviews given (30 of 40)")
            && ann.contains("next: <strong>maintainer"),
        "ladder"
    );
    assert!(
        ann.contains(r#"<a href="/domains/parser.html">parser</a>"#),
        "domains"
    );
    let dom = page("domains/parser.html");
    assert!(dom.contains("Single points of failure") && dom.contains("/people/ann.html"));
    assert!(dom.contains("Start here"), "the domain's docs");
    assert!(
        dom.contains("<td class=\"num\">3.50</td>"),
        "expert score: {dom}"
    );
    assert!(dom.contains("the whole domain hangs on them") && dom.contains("src/&lt;b&gt;.rs"));
    assert!(dom.contains("@ghost") && dom.contains("never seen in this history"));
    let net = page("network.html");
    assert!(
        net.contains("betweenness") && net.contains("0.250") && !net.contains("0.25000"),
        "metrics table"
    );
    assert!(net.contains("density"), "community-level numbers");
    // The drawing comes from the network's edges, the broker ringed and named so.
    assert!(
        net.contains(r#"<circle class="d0 broker""#)
            && net.contains("<title>Ann (knowledge broker)</title>"),
        "{net}"
    );
    assert!(net.contains("<title>Ben</title>"));
    let home = page("index.html");
    assert!(home.contains("Knowledge brokers") && home.contains("/domains/parser.html"));
    let newcomers = page("newcomers.html");
    assert!(newcomers.contains("/people/ben.html"), "newcomers listed");
    assert!(newcomers.contains("2024-01-01") && newcomers.contains("2.0 days"));
    assert!(newcomers.contains("Mentors available") && newcomers.contains("/people/ann.html"));
    assert!(page("domains/index.html").contains("parser"));
}
