//! The config file: `$XDG_CONFIG_HOME/passim/config.toml`, `~/.config/passim/config.toml`
//! or `PASSIM_CONFIG`; its precedence under flags and the environment;
//! `--collection`; `passim config`; bad files. Every run has a clean
//! environment (the fixture clears it) with HOME and XDG_CONFIG_HOME pointed
//! at folders of the test.

use std::path::PathBuf;

use assert_cmd::Command;

use crate::util::{ids, parse_json_output, passages, stderr, stdout, Fixture, BBC, UPI};

/// The fixture's seeds indexed into `index/`, and a config folder `xdg/`.
struct Setup {
    fx: Fixture,
}

impl Setup {
    fn new() -> Setup {
        Setup {
            fx: Fixture::indexed(),
        }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.fx.path().join(rel)
    }

    /// Writes `$XDG_CONFIG_HOME/passim/config.toml`; returns its path.
    fn config(&self, text: &str) -> PathBuf {
        self.fx.write("xdg/passim/config.toml", text);
        self.path("xdg/passim/config.toml")
    }

    /// `passim` with XDG_CONFIG_HOME at `xdg/` and HOME at an empty `home/`.
    fn cmd(&self) -> Command {
        std::fs::create_dir_all(self.path("home")).unwrap();
        let mut c = self.fx.cmd();
        c.env("XDG_CONFIG_HOME", self.path("xdg"))
            .env("HOME", self.path("home"));
        c
    }

    fn run(&self, args: &[&str]) -> std::process::Output {
        self.cmd().args(args).output().unwrap()
    }

    fn index(&self) -> String {
        self.path("index").to_string_lossy().into_owned()
    }
}

#[test]
fn the_file_sets_index_limit_and_passages() {
    let s = Setup::new();
    // The index somewhere a search from the fixture folder would not find it.
    std::fs::rename(s.path("index"), s.path("elsewhere")).unwrap();
    let elsewhere = s.path("elsewhere").to_string_lossy().into_owned();
    s.config(&format!(
        "# my passim\nindex = \"{elsewhere}\"\nlimit = 1\npassages = 1\n"
    ));
    let out = s.run(&["search", "pay", "--json"]);
    let (code, hits, summary) = parse_json_output(&out, &["search", "pay"]);
    assert_eq!(code, 0, "{}", stderr(&out));
    assert_eq!(ids(&hits), [UPI]);
    assert_eq!(summary["total_hits"], 2);
    assert_eq!(passages(&hits[0]).len(), 1);
    // No index/ was built from seeds/: the file named the index.
    assert!(!s.path("index").exists());

    // Flags win over the file.
    let out = s.run(&["search", "pay", "--json", "-n", "2", "-p", "0"]);
    let (code, hits, _) = parse_json_output(&out, &["search", "pay"]);
    assert_eq!(code, 0);
    assert_eq!(ids(&hits), [UPI, BBC]);
    assert!(passages(&hits[0]).is_empty());
}

#[test]
fn passim_config_prints_each_value_and_where_it_came_from() {
    let s = Setup::new();
    let file = s.config(&format!(
        "index = \"{}\"\ncolor = \"never\"\n\nlimit = 5\n\n[collections]\nnews = \"/srv/news-index\"\n\"old news\" = \"archive\"\n",
        s.index()
    ));
    let out = s.run(&["config"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let index = s.index();
    let archive = s.path("xdg/passim/archive").to_string_lossy().into_owned();
    let lines = [
        format!("index = \"{index}\""),
        "color = \"never\"".to_owned(),
        "limit = 5".to_owned(),
        "passages = 3".to_owned(),
        "[collections]".to_owned(),
        "news = \"/srv/news-index\"".to_owned(),
        format!("\"old news\" = \"{archive}\""),
    ];
    let sources = [
        "config file, line 1",
        "config file, line 2",
        "config file, line 4",
        "default",
        "",
        "config file, line 7",
        "config file, line 8",
    ];
    let width = lines.iter().map(|l| l.len()).max().unwrap();
    let mut want = format!("# config file: {} (from XDG_CONFIG_HOME)\n", file.display());
    for (line, source) in lines.iter().zip(sources) {
        if source.is_empty() {
            want.push_str(&format!("{line}\n"));
        } else {
            want.push_str(&format!("{line:width$}  # {source}\n"));
        }
    }
    assert_eq!(stdout(&out), want);

    // The environment beats the file, and flags beat the environment.
    let out = s
        .cmd()
        .args(["config"])
        .env("PASSIM_INDEX", "from-env")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(
        text.contains("index = \"from-env\"") && text.contains("# environment (PASSIM_INDEX)"),
        "{text}"
    );
    assert!(text.contains("# environment (NO_COLOR)"), "{text}");
    let out = s
        .cmd()
        .args(["config", "--index", "from-flag"])
        .env("PASSIM_INDEX", "from-env")
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(
        text.contains("index = \"from-flag\"") && text.contains("# command line (--index)"),
        "{text}"
    );
    let out = s.run(&["config", "--collection", "news"]);
    let text = stdout(&out);
    assert!(
        text.contains("index = \"/srv/news-index\"")
            && text.contains("# command line (--collection)"),
        "{text}"
    );
}

#[test]
fn without_a_file_everything_is_a_default() {
    let s = Setup::new();
    let out = s.run(&["config"]);
    assert_eq!(out.status.code(), Some(0));
    let file = s.path("xdg/passim/config.toml");
    assert_eq!(
        stdout(&out),
        format!(
            "# config file: none ({} does not exist; from XDG_CONFIG_HOME)\n\
             index = \"index\"  # default\n\
             color = \"auto\"   # default\n\
             limit = 10       # default\n\
             passages = 3     # default\n",
            file.display()
        )
    );
}

#[test]
fn collections_name_indexes() {
    let s = Setup::new();
    std::fs::rename(s.path("index"), s.path("news-index")).unwrap();
    // A relative path is relative to the config file's folder.
    s.fx.write(
        "xdg/passim/config.toml",
        "[collections]\nnews = \"../../news-index\"\n",
    );
    let out = s.run(&["search", "ballot", "--collection", "news", "--json"]);
    let (code, hits, _) = parse_json_output(&out, &["search", "ballot"]);
    assert_eq!(code, 0, "{}", stderr(&out));
    assert_eq!(ids(&hits), [BBC]);
    let out = s.run(&["stats", "--collection", "news", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let stats: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(stats["articles"], 2);

    let out = s.run(&["search", "ballot", "--collection", "sport"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        format!(
            "passim: no collection \"sport\" in the config file {}; it names news\n",
            s.path("xdg/passim/config.toml").display()
        )
    );
    let out = s.run(&["search", "ballot", "--collection", "news", "--index", "x"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "passim: --index and --collection name two indexes: give one of them\n"
    );
}

#[test]
fn home_config_is_the_fallback_and_passim_config_wins() {
    let s = Setup::new();
    s.fx.write("home/.config/passim/config.toml", "limit = 1\n");
    let out =
        s.fx.cmd()
            .args(["search", "pay", "--json"])
            .env("HOME", s.path("home"))
            .output()
            .unwrap();
    let (code, hits, _) = parse_json_output(&out, &["search", "pay"]);
    assert_eq!(code, 0);
    assert_eq!(hits.len(), 1);

    s.fx.write("other.toml", "passages = 0\n");
    let out = s
        .cmd()
        .args(["config"])
        .env("PASSIM_CONFIG", s.path("other.toml"))
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(
        text.starts_with(&format!(
            "# config file: {} (from PASSIM_CONFIG)\n",
            s.path("other.toml").display()
        )),
        "{text}"
    );
    assert!(text.contains("passages = 0"), "{text}");

    // A file PASSIM_CONFIG names must exist.
    let out = s
        .cmd()
        .args(["search", "pay"])
        .env("PASSIM_CONFIG", s.path("missing.toml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        format!(
            "passim: {}: no such file or directory\n",
            s.path("missing.toml").display()
        )
    );
}

#[test]
fn the_file_colour_applies_unless_no_color_is_set() {
    let s = Setup::new();
    s.config("color = \"always\"\n");
    let out = s.run(&["search", "ballot"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stdout(&out).contains("\x1b["),
        "no colour: {}",
        stdout(&out)
    );
    let out = s
        .cmd()
        .args(["search", "ballot"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(!stdout(&out).contains('\x1b'), "{}", stdout(&out));
    let out = s
        .cmd()
        .args(["search", "ballot", "--color", "always"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(stdout(&out).contains("\x1b["));
}

/// A bad config file: exit 2 and one line naming the file, the line and the key.
fn bad_file(text: &str) -> String {
    let s = Setup::new();
    let file = s.config(text);
    let out = s.run(&["search", "pay"]);
    assert_eq!(out.status.code(), Some(2), "{text:?}: {}", stderr(&out));
    assert!(out.stdout.is_empty());
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    let prefix = format!("passim: {}:", file.display());
    err.strip_prefix(&prefix)
        .unwrap_or_else(|| panic!("{err:?} does not start with {prefix:?}"))
        .trim_end()
        .to_owned()
}

#[test]
fn a_bad_file_is_one_line_naming_file_line_and_key() {
    assert_eq!(
        bad_file("index = \"idx\"\nlimit = \"ten\"\n"),
        "2: limit: must be a whole number of at least 1"
    );
    assert_eq!(
        bad_file("limit = 0\n"),
        "1: limit: must be a whole number of at least 1"
    );
    assert_eq!(
        bad_file("\n\npassages = -1\n"),
        "3: passages: must be a whole number (0 or more)"
    );
    assert_eq!(
        bad_file("color = \"blue\"\n"),
        "1: color: must be \"auto\", \"always\" or \"never\""
    );
    assert_eq!(
        bad_file("index = 3\n"),
        "1: index: must be a folder path in quotes"
    );
    assert_eq!(
        bad_file("[collections]\nnews = \"n\"\nsport = 4\n"),
        "3: collections.sport: must be a folder path in quotes"
    );
    let unknown = bad_file("limit = 3\ncolour = \"never\"\n");
    assert!(
        unknown.starts_with("2: unknown field `colour`")
            && unknown
                .ends_with("(a config file has index, color, limit, passages, [collections])"),
        "{unknown}"
    );
    let syntax = bad_file("limit = 3\npassages = \n");
    assert!(syntax.starts_with("2: passages: "), "{syntax}");
}
