//! How raw identities become people: keys, aliases, logins, ids.

use super::*;
use crate::config::Config;

#[test]
fn noreply_addresses_give_logins() {
    assert_eq!(
        noreply_login("123+Alice@users.noreply.github.com").as_deref(),
        Some("Alice")
    );
    assert_eq!(
        noreply_login("bob@users.noreply.github.com").as_deref(),
        Some("bob")
    );
    assert_eq!(noreply_login("bob@example.com"), None);
}

#[test]
fn case_whitespace_email_and_noreply_merge_into_one_person() {
    let config = Config::default();
    let mut b = IdentityBuilder::new();
    b.add(RawIdent::sig("Alice  Smith", "alice@example.com"), 3);
    b.add(RawIdent::sig("alice smith", "ALICE@example.com"), 1);
    b.add(
        RawIdent::sig("Alice Smith", "123+alice@users.noreply.github.com"),
        1,
    );
    b.add(RawIdent::sig("Bob", "bob@example.com"), 1);
    let ids = b.finish(&config);
    assert_eq!(ids.people.len(), 2);
    let a = ids.resolve_mention("alice@example.com").unwrap();
    assert_eq!(ids.person(a).id, "alice");
    assert_eq!(ids.person(a).name, "Alice Smith");
    assert_eq!(ids.person(ids.resolve_mention("Bob").unwrap()).id, "bob");
}

#[test]
fn a_trailer_value_names_each_person_once() {
    let many = RawIdent::parse_many("Bob <bob@example.com>, Carol <carol@example.com>");
    assert_eq!(
        many,
        vec![
            RawIdent::sig("Bob", "bob@example.com"),
            RawIdent::sig("Carol", "carol@example.com")
        ]
    );
    let and = RawIdent::parse_many("Bob <bob@example.com> and Carol <carol@example.com>");
    assert_eq!(and.len(), 2);
    assert_eq!(and[1].name, "Carol");
    // A comma inside one person's name is not two people.
    assert_eq!(
        RawIdent::parse_many("Doe, Jane <jane@example.com>"),
        vec![RawIdent::sig("Doe, Jane", "jane@example.com")]
    );
}

#[test]
fn the_most_used_login_is_the_id_and_logins_ignore_case() {
    let mut b = IdentityBuilder::new();
    let sig = b.add(RawIdent::sig("Rustin", "r@example.com"), 10);
    let old = b.add(RawIdent::login("hi-rustin"), 6);
    let new = b.add(RawIdent::login("Rustin170506"), 4);
    b.join(sig, old, "test".into());
    b.join(sig, new, "test".into());
    b.add(RawIdent::login("HI-RUSTIN"), 1);
    let ids = b.finish(&Config::default());
    assert_eq!(ids.people.len(), 1);
    let p = &ids.people[0];
    assert_eq!(p.id, "hi-rustin");
    assert_eq!(p.logins, vec!["hi-rustin", "Rustin170506"]);
    assert_eq!(ids.by_login("rustin170506"), Some(0));
    assert_eq!(ids.resolve_mention("@Hi-Rustin"), Some(0));
}

#[test]
fn names_differing_only_by_latin_accents_are_one_key_and_other_scripts_stay() {
    assert_eq!(
        normalize_name("Carlo Marcelo Arenas  Belón"),
        normalize_name("carlo marcelo arenas belon")
    );
    assert_eq!(
        normalize_name("Jelmer Vernooĳ"),
        normalize_name("Jelmer Vernooij")
    );
    assert_ne!(normalize_name("许杰友"), normalize_name("Xu Jie You"));
    assert_eq!(
        normalize_name("W. Trevor King"),
        normalize_name("W Trevor King")
    );
}

#[test]
fn an_address_without_brackets_never_stays_in_a_name() {
    assert_eq!(
        RawIdent::parse("Jeff King peff@peff.net"),
        RawIdent::sig("Jeff King", "peff@peff.net")
    );
    assert_eq!(
        RawIdent::parse("Jeff King (peff@peff.net)"),
        RawIdent::sig("Jeff King", "peff@peff.net")
    );
}
