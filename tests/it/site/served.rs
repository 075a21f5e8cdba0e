//! `site serve`: answers on loopback and rebuilds when a doc changes.

use super::*;

#[test]
fn serve_answers_on_loopback_and_rebuilds_when_a_doc_changes() {
    let repo = community();
    let server = serve(&repo);
    let (code, page) = get(server.port, "/docs/retrospectives-2024-04-20-release.html");
    assert_eq!(code, 200);
    assert!(page.contains("Release retrospective"));
    assert_eq!(get(server.port, "/people/").0, 200);
    assert_eq!(get(server.port, "/nope.html").0, 404);
    assert_eq!(get(server.port, "/../guild.yml").0, 404);
    let doc = "community/retrospectives/2024-04-20-release.md";
    let text = read(&repo.path().join(doc)).replace("Release retrospective", "Launch retro");
    repo.write(doc, &text);
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (_, page) = get(server.port, "/docs/retrospectives-2024-04-20-release.html");
        if page.contains("Launch retro") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no rebuild after the doc changed"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}
