//! `cargo guild endorse PERSON --skill SKILL [--note TEXT]`: writes
//! `<docs_dir>/endorsements/<person>/<endorser>-<skill>.yml`, one file per endorsement so
//! branches never collide. Nothing in the file says who endorses: once committed, the
//! endorsement is credited to the author of the commit that added it.

use anyhow::bail;

use crate::cli::{EndorseArgs, GlobalOpts};
use crate::config::yaml;
use crate::exit::Outcome;
use crate::snapshot::Display;

pub fn execute(global: &GlobalOpts, args: EndorseArgs) -> anyhow::Result<Outcome> {
    let session = super::Session::open(global)?;
    let Some(root) = session.repo.workdir.clone() else {
        bail!(
            "{} is a bare repository: `cargo guild endorse` writes a file to commit\n  fix: run it in a clone with a checkout",
            session.repo.root().display()
        );
    };
    let Some(skill) = super::new::clean_one("--skill", Some(args.skill))? else {
        bail!("--skill is empty\n  fix: name the skill, e.g. --skill \"async Rust\"");
    };
    let note = super::new::clean_one("--note", args.note)?;
    let ledger = session.ledger()?;
    let display = Display::new(&ledger);
    let person = display.find(&ledger, &args.person)?;
    let me = super::new::git_identity(&session.repo.git)?;
    let me_person = ledger.identities.resolve_mention(&me);
    if me_person == Some(person) {
        bail!("you cannot endorse yourself: self-endorsements never count\n  fix: endorse someone else");
    }
    let endorser = match me_person {
        Some(p) => display.ids[p as usize].clone(),
        None => crate::util::slug(me.split('<').next().unwrap_or(&me), "someone"),
    };
    let id = &display.ids[person as usize];
    let rel = format!(
        "{}/endorsements/{}/{}-{}.yml",
        session.config.docs_dir.trim_end_matches('/'),
        crate::util::slug(id, "person"),
        endorser,
        crate::util::slug(&skill, "skill")
    );
    let path = root.join(&rel);
    if path.exists() {
        bail!("{rel} already exists; nothing written\n  fix: edit that file, or endorse another skill");
    }
    let mut text = format!(
        "# An endorsement of {id}. Who endorses is not written here: it is the author of the\n# commit that adds this file.\nskill: {}\n",
        yaml::quoted(&skill)
    );
    if let Some(n) = &note {
        text.push_str(&format!("note: {}\n", yaml::quoted(n)));
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    // Never over an existing file, even one created a moment ago.
    use std::io::Write as _;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| anyhow::anyhow!("cannot write {rel}: {e}"))?;
    f.write_all(text.as_bytes())?;
    println!("{rel}");
    if !global.quiet {
        eprintln!(
            "wrote {rel}: commit it (`git add {rel} && git commit`); it counts once committed, credited to the commit's author"
        );
    }
    Ok(Outcome::Ok)
}
