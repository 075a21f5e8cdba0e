//! The foundation: history → ledger → reputation, explain, context.

use crate::support::{person, Repo};

#[test]
fn merged_pr_credits_author_merger_and_trailer_reviewer() {
    let repo = Repo::new();
    repo.commit_by(
        "Alice Smith <alice@example.com>",
        "2024-01-01",
        "Initial commit",
    )
    .merge_pr_full(
        1,
        "Bob <bob@example.com>",
        "Alice Smith <alice@example.com>",
        "2024-02-01",
        "Add parser",
        None,
        "Reviewed-by: Carol <carol@example.com>",
    );
    let ctx = repo.run(["context", "--json"]).json();
    let bob = person(&ctx, "bob");
    assert_eq!(bob["counts"]["prs_merged"], 1);
    assert_eq!(bob["counts"]["commits"], 1);
    // 10 for the merged PR + 1 for the commit.
    assert_eq!(bob["reputation"]["contributor"], 11);
    let carol = person(&ctx, "carol");
    assert_eq!(carol["counts"]["reviews_given"], 1);
    // 5 for the review + 5 because it was bob's first contribution.
    assert_eq!(carol["reputation"]["reviewer"], 10);
    let alice = person(&ctx, "alice-smith");
    assert_eq!(
        alice["reputation"]["reviewer"], 2,
        "merging someone else's PR"
    );
}
