//! Roots and walking: roots accumulate, `--remove` is the only way to drop
//! a root's articles, a missing root keeps its articles, `--glob` and
//! `--exclude` filter the walk like ripgrep's `-g`, files that are not
//! articles are counted as "not read", and `passim index --help`.

use serde_json::Value;

use crate::util::*;

/// A fixture with two article folders, `news/` (2 articles, one in
/// `news/sport/`) and `blog/` (1 article).
fn two_folders() -> Fixture {
    let fx = Fixture::empty();
    fx.write("news/budget.txt", "Budget vote\nThe budget vote passed.\n");
    fx.write(
        "news/sport/final.txt",
        "Cup final\nThe cup final was won.\n",
    );
    fx.write("blog/otters.md", "Otters\nSea otters hold hands.\n");
    fx
}

fn stats(fx: &Fixture) -> Value {
    let out = fx.run(&["stats", "--index", "idx", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).expect("stats json")
}

/// (root path relative to the fixture, articles) for each root in stats.
fn roots(fx: &Fixture) -> Vec<(String, u64)> {
    let base = fx.path().canonicalize().unwrap();
    let tmp = fx.path().to_path_buf();
    stats(fx)["roots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let p = std::path::PathBuf::from(r["path"].as_str().unwrap());
            let rel = p
                .strip_prefix(&tmp)
                .or_else(|_| p.strip_prefix(&base))
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (rel, r["articles"].as_u64().unwrap())
        })
        .collect()
}

fn index(fx: &Fixture, args: &[&str]) -> String {
    let mut all = vec!["index", "--index", "idx"];
    all.extend_from_slice(args);
    let out = fx.run(&all);
    assert_eq!(out.status.code(), Some(0), "{:?}: {}", args, stderr(&out));
    stderr(&out)
}

#[test]
fn indexing_another_root_keeps_the_first() {
    let fx = two_folders();
    assert_index_summary(&index(&fx, &["news"]), 2, 2, 0, 0, 0);
    let err = index(&fx, &["blog"]);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_index_summary(&err, 3, 1, 0, 0, 0);
    assert_eq!(roots(&fx), vec![("blog".into(), 1), ("news".into(), 2)]);
    assert_eq!(
        sorted_ids(&fx.hits(&["budget otters", "--index", "idx"])),
        vec!["budget.txt", "otters.md"]
    );
    // With no paths, every root is updated.
    assert_index_summary(&index(&fx, &[]), 3, 0, 0, 0, 0);
}

#[test]
fn reindexing_a_root_removes_only_its_vanished_files() {
    let fx = two_folders();
    index(&fx, &["news", "blog"]);
    std::fs::remove_file(fx.path().join("news/budget.txt")).unwrap();
    std::fs::remove_file(fx.path().join("blog/otters.md")).unwrap();
    // Only news is walked: blog's vanished file stays until blog is updated.
    assert_index_summary(&index(&fx, &["news"]), 2, 0, 0, 1, 0);
    assert_eq!(roots(&fx), vec![("blog".into(), 1), ("news".into(), 1)]);
    assert_index_summary(&index(&fx, &["blog"]), 1, 0, 0, 1, 0);
}

#[test]
fn a_folder_inside_a_root_is_updated_as_part_of_it() {
    let fx = two_folders();
    index(&fx, &["news"]);
    let err = index(&fx, &["news/sport"]);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_index_summary(&err, 2, 0, 0, 0, 0);
    assert_eq!(roots(&fx), vec![("news".into(), 2)]);
    // A new file in it keeps ids relative to the root.
    fx.write("news/sport/derby.txt", "Derby day\nThe derby was a draw.\n");
    assert_index_summary(&index(&fx, &["news/sport"]), 3, 1, 0, 0, 0);
    assert_eq!(
        ids(&fx.hits(&["derby", "--index", "idx"])),
        vec!["sport/derby.txt"]
    );
    // A root around stored roots absorbs them.
    let fx = two_folders();
    index(&fx, &["news/sport"]);
    assert_index_summary(&index(&fx, &["news"]), 2, 1, 1, 0, 0);
    assert_eq!(roots(&fx), vec![("news".into(), 2)]);
    assert_eq!(
        ids(&fx.hits(&["cup", "--index", "idx"])),
        vec!["sport/final.txt"]
    );
}

#[test]
fn remove_drops_a_root_and_says_what_it_removed() {
    let fx = two_folders();
    index(&fx, &["news", "blog"]);
    let out = fx.run(&["index", "--index", "idx", "--remove", "news"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stderr(&out), "passim: removed root news (2 articles)\n");
    assert_eq!(roots(&fx), vec![("blog".into(), 1)]);
    assert_eq!(stats(&fx)["articles"], 1);
    // Updating the index does not bring it back.
    assert_index_summary(&index(&fx, &[]), 1, 0, 0, 0, 0);
}

#[test]
fn remove_of_a_path_that_is_not_a_root_is_an_error() {
    let fx = two_folders();
    index(&fx, &["news"]);
    let out = fx.run(&["index", "--index", "idx", "--remove", "news/sport"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "passim: news/sport: not a root of the index at idx; it is inside root news (roots: news)\n"
    );
    let out = fx.run(&["index", "--index", "idx", "--remove", "blog"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "passim: blog: not a root of the index at idx (roots: news)\n"
    );
    assert_eq!(stats(&fx)["articles"], 2);
}

#[test]
fn a_missing_root_keeps_its_articles_with_a_warning() {
    let fx = two_folders();
    index(&fx, &["news", "blog"]);
    std::fs::remove_dir_all(fx.path().join("blog")).unwrap();
    let err = index(&fx, &[]);
    assert_eq!(
        err.lines().next().unwrap(),
        "passim: warning: root blog is missing; its 1 article is kept; \
         remove it with `passim index --remove blog --index idx`"
    );
    assert_index_summary(&err, 3, 0, 0, 0, 0);
    assert_eq!(stats(&fx)["roots"][0]["exists"], false);
    assert_eq!(
        ids(&fx.hits(&["otters", "--index", "idx"])),
        vec!["otters.md"]
    );
    // Naming it is an error, as for any path that does not exist.
    let out = fx.run(&["index", "--index", "idx", "blog"]);
    assert_eq!(out.status.code(), Some(2));
    let out = fx.run(&["index", "--index", "idx", "--remove", "blog"]);
    assert_eq!(stderr(&out), "passim: removed root blog (1 article)\n");
    assert_index_summary(&index(&fx, &[]), 2, 0, 0, 0, 0);
}

#[test]
fn stats_lists_roots_with_counts() {
    let fx = two_folders();
    index(&fx, &["news", "blog", "--exclude", "sport"]);
    let out = fx.run(&["stats", "--index", "idx"]);
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().filter(|l| !l.starts_with("last")).collect();
    let blog = fx.path().join("blog").display().to_string();
    let news = fx.path().join("news").display().to_string();
    assert_eq!(
        lines[lines.len() - 2..].to_vec(),
        vec![
            format!("roots:        {blog} (1 article; globs: !sport)"),
            format!("              {news} (1 article; globs: !sport)"),
        ]
    );
    let v = stats(&fx);
    assert_eq!(v["roots"][1]["articles"], 1);
    assert_eq!(v["roots"][1]["globs"], serde_json::json!(["!sport"]));
    assert_eq!(v["roots"][1]["exists"], true);
}

#[test]
fn exclude_and_glob_filter_the_walk_like_ripgrep() {
    let fx = two_folders();
    fx.write(
        "news/README.TXT",
        "About this dataset\nFive folders of news.\n",
    );
    assert_index_summary(&index(&fx, &["news"]), 3, 3, 0, 0, 0);
    // Excluding a file that was indexed removes it: the user asked.
    assert_index_summary(
        &index(&fx, &["news", "--exclude", "README.TXT"]),
        2,
        0,
        0,
        1,
        0,
    );
    // The glob is remembered with the root.
    assert_index_summary(&index(&fx, &[]), 2, 0, 0, 0, 0);
    let (code, _, _) = fx.search(&["dataset", "--index", "idx"]);
    assert_eq!(code, 1);
    // Globs given without paths apply to every root, replacing theirs:
    // README.TXT is back, sport/ is out.
    assert_index_summary(&index(&fx, &["--exclude", "sport"]), 2, 1, 0, 1, 0);
    assert_eq!(
        stats(&fx)["roots"][0]["globs"],
        serde_json::json!(["!sport"])
    );
    // --glob keeps only what matches; `!` negates; folders can be excluded.
    let fx = two_folders();
    fx.write("news/notes.md", "Notes\nBudget notes.\n");
    assert_index_summary(&index(&fx, &["news", "--glob", "*.md"]), 1, 1, 0, 0, 0);
    let fx = two_folders();
    assert_index_summary(&index(&fx, &["news", "--glob", "!sport/"]), 1, 1, 0, 0, 0);
    assert_eq!(
        stats(&fx)["roots"][0]["globs"],
        serde_json::json!(["!sport/"])
    );
}

#[test]
fn a_bad_glob_is_an_error() {
    let fx = two_folders();
    let out = fx.run(&["index", "--index", "idx", "news", "--glob", "[a"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("passim: [a: not a valid glob ("), "{err}");
}

#[test]
fn files_that_are_not_articles_are_counted_as_not_read() {
    let fx = two_folders();
    fx.write("news/photo.png", "PNG");
    fx.write("news/sheet.xlsx", "PK");
    fx.write("news/other.png", "PNG");
    fx.write("news/.hidden.png", "PNG");
    fx.write("news/LICENSE", "MIT");
    let err = index(&fx, &["news"]);
    assert_eq!(
        err.lines().take(1).collect::<Vec<_>>(),
        vec!["passim: not read: 4 files that are not articles (2 .png, 1 .xlsx, 1 without extension); \
          passim reads .txt, .md, .jsonl, .html, .pdf, .eml and .mbox"]
    );
    assert_index_summary_nr(&err, 2, 2, 0, 0, 0, 4);
    // Excluded files are not counted.
    let err = index(&fx, &["news", "--exclude", "*.png", "--exclude", "LICENSE"]);
    assert_index_summary_nr(&err, 2, 0, 0, 0, 0, 1);
    // --quiet prints neither line.
    let out = fx.run(&["index", "--index", "idx", "--quiet"]);
    assert_eq!(stderr(&out), "");
}

#[test]
fn index_help_has_examples_and_no_doubled_defaults() {
    let fx = Fixture::empty();
    let out = fx.run(&["index", "--help"]);
    let help = stdout(&out);
    assert!(
        help.contains("\nExamples:\n  passim index ~/articles"),
        "{help}"
    );
    assert!(help.contains("passim index --remove news"), "{help}");
    assert!(help.contains("--exclude <GLOB>"), "{help}");
    for line in help.lines() {
        assert!(
            !(line.contains("(default") && line.contains("[default")),
            "doubled default: {line}"
        );
    }
    assert!(help.contains("0 is one per core [default: 0]"), "{help}");
}

#[test]
fn the_index_folder_inside_a_root_is_not_walked() {
    let fx = two_folders();
    let err = index(&fx, &["."]);
    assert_index_summary(&err, 3, 3, 0, 0, 0);
    let err = index(&fx, &[]);
    assert_index_summary(&err, 3, 0, 0, 0, 0);
}

#[test]
fn rebuilding_an_unreadable_index_keeps_its_roots() {
    let fx = two_folders();
    index(&fx, &["news", "blog"]);
    // An index written by another passim: its analyzer has another name.
    let meta = fx.path().join("idx/meta.json");
    let text = std::fs::read_to_string(&meta).unwrap();
    assert!(text.contains("passim_en_fold"), "{text}");
    std::fs::write(&meta, text.replace("passim_en_fold", "passim_en_old")).unwrap();
    let out = fx.run(&["search", "--index", "idx", "otters"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("incompatible"), "{}", stderr(&out));

    let err = index(&fx, &["--rebuild"]);
    assert_index_summary(&err, 3, 3, 0, 0, 0);
    assert_eq!(roots(&fx), [("blog".to_owned(), 1), ("news".to_owned(), 2)]);
}
