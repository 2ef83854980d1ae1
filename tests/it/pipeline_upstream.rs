//! The library's own test suite (spec/pipeline.md §20), rewritten against jobaudit's API.
//! Tests that call `Pipeline.build(**dict)` upstream are written here as the equivalent
//! YAML; messages are those the library gives through `load_pipeline`.

use crate::pipeline_common::{Case, Expect::*, action_a, case, run_cases, run_with_output, valid};
use jobaudit::pipeline::{self, Pipeline, PrivacyLevel, rules};

fn load_ok(yaml: &str) -> Pipeline {
    match pipeline::load(yaml) {
        Ok(p) => p,
        Err(e) => panic!("expected valid, got {}\n{yaml}", e.library_message()),
    }
}

fn load_err(yaml: &str) -> String {
    match pipeline::load(yaml) {
        Ok(_) => panic!("expected an error\n{yaml}"),
        Err(e) => e.library_message(),
    }
}

// ---- tests/test_validation.py ----

#[test]
fn validate_glob_pattern() {
    use PrivacyLevel::*;
    let cases: [(&str, PrivacyLevel, bool); 16] = [
        ("foo/bar/*.txt", HighlySensitive, true),
        ("foo/bar/*.txt", ModeratelySensitive, true),
        ("/abs/path.txt", HighlySensitive, false),
        ("not//canonical.txt", HighlySensitive, false),
        ("path/../traversal.txt", HighlySensitive, false),
        ("c:/windows/absolute.txt", HighlySensitive, false),
        ("recursive/**/glob.pattern", HighlySensitive, false),
        ("questionmark?.txt", HighlySensitive, false),
        ("/[square]brackets.txt", HighlySensitive, false),
        ("\\ftest.txt", HighlySensitive, false),
        ("metadata", HighlySensitive, false),
        ("metadata/test.txt", HighlySensitive, false),
        ("outputs/*", HighlySensitive, false),
        ("outputs/foo.*", HighlySensitive, false),
        ("outputs/output.rds", ModeratelySensitive, false),
        ("outputs/output.pdf", ModeratelySensitive, false),
    ];
    for (pattern, level, ok) in cases {
        assert_eq!(
            rules::validate_output_pattern(pattern, level).is_ok(),
            ok,
            "{pattern} as {level}"
        );
    }
    let reason = |p| {
        rules::validate_output_pattern(p, HighlySensitive)
            .err()
            .unwrap_or_default()
    };
    assert_eq!(
        reason("/[square]brackets.txt"),
        "contains '[' (only the * wildcard character is supported)"
    );
    assert_eq!(
        reason("\\ftest.txt"),
        "contains back slashes (use forward slashes only)"
    );
    assert_eq!(
        reason("metadata"),
        "output paths must have a file type extension at the end"
    );
    assert_eq!(
        reason("metadata/test.txt"),
        "should not include the metadata directory"
    );
}

#[test]
fn get_output_spec_from_args() {
    let spec = |run: &str| {
        let parts = rules::split_command(run).unwrap_or_default();
        rules::output_spec_from_args(&parts).map(str::to_string)
    };
    assert_eq!(spec("--output a.csv dataset.py").as_deref(), Some("a.csv"));
    assert_eq!(spec("--output=b.csv dataset.py").as_deref(), Some("b.csv"));
    assert_eq!(
        spec("--output='c.csv' dataset.py").as_deref(),
        Some("c.csv")
    );
    assert_eq!(spec("dataset.py --output d.csv").as_deref(), Some("d.csv"));
    assert_eq!(spec("dataset.py --output=e.csv").as_deref(), Some("e.csv"));
}

#[test]
fn output_patterns_match_spec() {
    let m = rules::output_patterns_match_spec;
    assert!(m("foo/bar.csv", &["foo/bar.csv"]));
    assert!(!m("foo/bar.csv", &["foo/baz.csv"]));
    assert!(m("foo/bar:csv", &["foo/bar/*.csv"]));
    assert!(m(
        "foo/bar:csv",
        &["foo/bar/dataset.csv", "foo/bar/events.csv"]
    ));
    assert!(m("foo/bar/:csv", &["foo/bar/*.csv"]));
    assert!(!m("foo/bar:csv", &["foo/bar/*"]));
    assert!(!m("foo/bar:arrow", &["foo/bar/*.csv"]));
}

// ---- tests/test_models.py ----

fn highly_input(run: &str) -> String {
    action_a(
        "1",
        &run_with_output(run, "highly_sensitive", &[("cohort", "output/input.csv")]),
    )
}

#[test]
fn models_success() {
    let p = load_ok(&action_a(
        "\"4\"",
        &run_with_output(
            "test:latest",
            "moderately_sensitive",
            &[("dataset", "output.csv")],
        ),
    ));
    assert_eq!(p.version, 4.0);
}

#[test]
fn invalid_tags() {
    for run in [
        "test",
        "test:",
        "test:v",
        "test:other",
        "test:vnotdigits",
        "test:v1x1",
        "test:pre",
    ] {
        assert!(
            load_err(&highly_input(&format!("'{run}'")))
                .contains("test must have a version specified"),
            "{run}"
        );
    }
}

#[test]
fn valid_tags() {
    for tag in [
        "v1", "v2", "v1.2", "v1.2.3", "dev", "latest", "v1-pre", "v1.2-pre",
    ] {
        let p = load_ok(&highly_input(&format!("test:{tag}")));
        assert_eq!(p.actions[0].run.image, "test");
        assert_eq!(p.actions[0].run.tag, tag);
    }
}

fn cohort_two_dirs(run: &str) -> String {
    action_a(
        "1",
        &format!(
            "run: {run}\noutputs:\n  moderately_sensitive:\n    cohort: output/input.csv\n    graph: other/graph.png"
        ),
    )
}

#[test]
fn generate_cohort_rules() {
    let run = "cohortextractor:latest generate_cohort --output-dir=output";
    assert_eq!(load_ok(&cohort_two_dirs(run)).actions[0].run.raw, run);
    assert!(
        load_err(&cohort_two_dirs("cohortextractor:latest generate_cohort")).contains(
            "generate_cohort command should produce output in only one directory, found 2:"
        )
    );
    let two_levels = action_a(
        "1",
        "run: cohortextractor:latest generate_cohort\noutputs:\n  highly_sensitive:\n    cohort: output/input.csv\n  moderately_sensitive:\n    graph: other/graph.png",
    );
    assert!(
        load_err(&two_levels)
            .contains("A `generate_cohort` action must have exactly one output; a had 2")
    );
    let one = load_ok(&highly_input("cohortextractor:latest generate_cohort"));
    assert_eq!(one.actions[0].outputs.len(), 1);
}

#[test]
fn generate_dataset_needs_highly_sensitive() {
    for image in ["databuilder:latest", "ehrql:v1"] {
        for level in ["moderately_sensitive", "minimally_sensitive"] {
            let yaml = action_a(
                "1",
                &run_with_output(
                    &format!("{image} generate-dataset"),
                    level,
                    &[("cohort", "output/input.csv")],
                ),
            );
            assert!(
                load_err(&yaml).contains("`a` action uses `generate-dataset` and so all outputs must be labelled `highly_sensitive`"),
                "{image} {level}"
            );
        }
    }
}

#[test]
fn outputs_levels_are_the_three_privacy_levels() {
    let keys: Vec<&str> = PrivacyLevel::ALL.iter().map(|l| l.as_str()).collect();
    assert_eq!(
        keys,
        [
            "highly_sensitive",
            "moderately_sensitive",
            "minimally_sensitive"
        ]
    );
}

#[test]
fn generate_dataset_output_argument() {
    let no_output = action_a(
        "4",
        &run_with_output(
            "ehrql:v1 generate-dataset",
            "highly_sensitive",
            &[("c", "output/input.csv")],
        ),
    );
    assert!(load_err(&no_output).contains(
        "`a` action does not provide an `--output` argument specifying where the results of `generate-dataset` should be stored"
    ));
    let dir_mode = |pattern| {
        action_a(
            "4",
            &run_with_output(
                "ehrql:v1 generate-dataset --output outputs:arrow",
                "highly_sensitive",
                &[("d", pattern)],
            ),
        )
    };
    load_ok(&dir_mode("outputs/*.arrow"));
    let err = load_err(&dir_mode("outputs.arrow"));
    assert!(
        err.contains(
            "output specification must match the `--output` argument in the `run` command"
        )
    );
    assert!(err.contains("got: outputs.arrow"));
    assert!(err.contains("but was expecting: outputs/:arrow"));
}

#[test]
fn cohortextractor_refused_from_v4() {
    let yaml = action_a(
        "\"4\"",
        &run_with_output(
            "cohortextractor:latest generate_cohort",
            "highly_sensitive",
            &[("c", "output/input.csv")],
        ),
    );
    assert!(
        load_err(&yaml)
            .contains("uses cohortextractor actions, which are not supported in this version.")
    );
}

#[test]
fn command_properties() {
    let p = load_ok(&highly_input(
        "cohortextractor:latest generate_cohort another_arg",
    ));
    let run = &p.actions[0].run;
    assert_eq!(run.args, "generate_cohort another_arg");
    assert_eq!(run.image, "cohortextractor");
    assert_eq!(run.parts.len(), 3);
    assert_eq!(run.tag, "latest");
}

fn project_cases() -> Vec<Case> {
    let standard = run_with_output("test:v1", "highly_sensitive", &[("c", "output/input.csv")]);
    let body = |s: &str| s.lines().map(|l| format!("    {l}\n")).collect::<String>();
    let project = |version: &str, extra: &str| {
        format!(
            "version: {version}\n{extra}actions:\n  a:\n{}",
            body(&standard)
        )
    };
    let ehrql = run_with_output(
        "ehrql:v1 generate-dataset --output output/dataset.csv.gz",
        "highly_sensitive",
        &[("d", "output/dataset.csv.gz")],
    );
    let two = |version: &str, a: &str, b: &str| {
        format!(
            "version: {version}\nactions:\n  a:\n{}  b:\n{}",
            body(a),
            body(b)
        )
    };
    vec![
        case(
            "v2 empty expectations",
            project("2", "expectations: {}\n"),
            Valid(|p| assert_eq!(p.population_size, Some(1000))),
        ),
        case(
            "v4 empty expectations",
            format!(
                "version: 4\nexpectations: {{}}\nactions:\n  a:\n{}",
                body(&ehrql)
            ),
            Invalid("Project includes `expectations` section"),
        ),
        case(
            "v3 without expectations",
            project("3", ""),
            Invalid("Project must include `expectations` section"),
        ),
        case(
            "v3 empty expectations",
            project("3", "expectations: {}\n"),
            Invalid("Project `expectations` section must include `population_size` section"),
        ),
        case(
            "v3 population not a number",
            project("3", "expectations:\n  population_size: \"test\"\n"),
            Invalid("Project expectations population size must be a number"),
        ),
        case(
            "needs listed",
            two(
                "1",
                &run_with_output("test:v1 a", "highly_sensitive", &[("c", "output/a.csv")]),
                &format!(
                    "{}needs: [a]\n",
                    run_with_output("test:v1 b", "highly_sensitive", &[("c", "output/b.csv")])
                ),
            ),
            Valid(|p| assert_eq!(p.actions[1].needs, ["a"])),
        ),
        case(
            "needs separated by spaces",
            action_a(
                "1",
                &format!("{standard}needs: [\"generate_cohort do_analysis\"]\n"),
            ),
            Invalid(
                "`needs` actions should be separated with commas, but a needs `generate_cohort do_analysis`",
            ),
        ),
        case(
            "needs unknown action",
            action_a("1", &format!("{standard}needs: [action2]\n")).replace("  a:", "  action1:"),
            Invalid("Action `action1` references an unknown action in its `needs` list: action2"),
        ),
        case(
            "same run twice",
            two(
                "1",
                &run_with_output("test:latest", "highly_sensitive", &[("c", "output.csv")]),
                &run_with_output("test:latest", "highly_sensitive", &[("c", "output.csv")]),
            )
            .replace("  a:", "  action1:")
            .replace("  b:", "  action2:"),
            Invalid("Action action2 has the same 'run' command as other actions: action1"),
        ),
        case(
            "action value null",
            "version: 1\nactions:\n  action1:\n",
            Invalid("Configuration for action action1 must be a dictionary"),
        ),
        case(
            "action value empty",
            "version: 1\nactions:\n  action1: {}\n",
            Invalid("Action action1 must contain a configuration for 'run'"),
        ),
        case(
            "empty run",
            "version: 1\nactions:\n  action1:\n    run: ''\n    outputs: {highly_sensitive: {c: a.csv}}\n",
            Invalid("run must have a value, action1 has an empty run key"),
        ),
        case(
            "no outputs",
            "version: 1\nactions:\n  action1:\n    run: test:v1\n",
            Invalid("Action action1 must contain a configuration for 'outputs'"),
        ),
        case(
            "version missing",
            "expectations: {population_size: 10}\nactions: {}\n",
            Invalid("Project file must have a `version` attribute"),
        ),
        case(
            "version null",
            "version:\nactions: {}\n",
            Invalid("Project file must have a `version` attribute"),
        ),
        case(
            "version text",
            "version: \"test\"\nactions: {}\n",
            Invalid("`version` must be a number between 1 and"),
        ),
        case(
            "v2 duplicate path in one action",
            action_a(
                "2",
                &run_with_output(
                    "test:v1",
                    "highly_sensitive",
                    &[("a", "output/input.csv"), ("b", "output/input.csv")],
                ),
            ),
            Invalid("Output path output/input.csv is not unique"),
        ),
        case(
            "v1 duplicate path in one action",
            action_a(
                "1",
                &run_with_output(
                    "test:v1",
                    "highly_sensitive",
                    &[("a", "output/input.csv"), ("b", "output/input.csv")],
                ),
            ),
            Valid(|p| {
                let patterns: Vec<&str> = p.actions[0].outputs[0]
                    .1
                    .iter()
                    .map(|o| o.pattern.as_str())
                    .collect();
                assert_eq!(patterns, ["output/input.csv", "output/input.csv"]);
            }),
        ),
        case(
            "empty outputs",
            "version: 1\nactions:\n  a:\n    run: test:v1\n    outputs: {}\n",
            Invalid(
                "must specify at least one output of: highly_sensitive, moderately_sensitive, minimally_sensitive",
            ),
        ),
        case(
            "unknown level only",
            "version: 1\nactions:\n  a:\n    run: test:v1\n    outputs: {test: {c: a.csv}}\n",
            Invalid(
                "must specify at least one output of: highly_sensitive, moderately_sensitive, minimally_sensitive",
            ),
        ),
        case(
            "invalid path",
            action_a(
                "1",
                &run_with_output("test:v1", "highly_sensitive", &[("test", "test/foo")]),
            ),
            Invalid("Output path test/foo is invalid:"),
        ),
        case(
            "v5 run_all reserved",
            "version: 5\nactions:\n  run_all:\n    run: test:v1\n    outputs: {}\n",
            Invalid("`run_all` is a reserved action name"),
        ),
        case(
            "v4 run_all warns",
            action_a(
                "4",
                &run_with_output("test:v1", "highly_sensitive", &[("c", "a.csv")]),
            )
            .replace("  a:", "  run_all:"),
            Valid(|p| {
                assert!(
                    p.warnings
                        .iter()
                        .any(|w| w.contains("`run_all` is a reserved action name"))
                )
            }),
        ),
        case(
            "v4 warns about the version",
            action_a("4", &standard),
            Valid(|p| {
                assert!(
                    p.warnings
                        .iter()
                        .any(|w| w.contains("project file is using an old version"))
                )
            }),
        ),
    ]
}

#[test]
fn project_rules() {
    run_cases(&project_cases());
}

#[test]
fn ehrql_output_argument_forms() {
    for image in ["databuilder:latest", "ehrql:v1"] {
        let yaml = |spec: &str| {
            action_a(
                "1",
                &run_with_output(
                    &format!("{image} generate-dataset --output={spec}"),
                    "highly_sensitive",
                    &[("d", "output/dataset.csv")],
                ),
            )
        };
        load_ok(&yaml("output/dataset.csv"));
        assert!(load_err(&yaml("output/dataset1.csv")).contains(
            "output specification must match the `--output` argument in the `run` command"
        ));
    }
    let underscore = action_a(
        "1",
        &run_with_output(
            "databuilder:latest generate_dataset --output=output/dataset1.csv",
            "highly_sensitive",
            &[("d", "output/dataset.csv")],
        ),
    );
    assert!(load_err(&underscore).contains("output specification must match"));
}

#[test]
fn is_database_action() {
    let db = |run: &str| {
        load_ok(&action_a(
            "1",
            &run_with_output(run, "highly_sensitive", &[("c", "output/input.csv")]),
        ))
        .actions[0]
            .is_database_action
    };
    assert!(db(
        "ehrql:v1 generate-dataset args --output=output/input.csv"
    ));
    assert!(db("ehrql:v1 generate-measures args --option"));
    assert!(db("sqlrunner:v1 foo -output=output/input.csv"));
    assert!(db("cohortextractor:latest generate_cohort args --option"));
    assert!(db(
        "databuilder:v0 generate-dataset args --output=output/input.csv"
    ));
    assert!(!db(
        "cohortextractor:latest generate_measures args --option"
    ));
    assert!(!db("python:latest generate-measures.py args --option"));
    assert!(!db("ehrql:v1"));
}

#[test]
fn action_images() {
    let four = "version: 4\nactions:\n  a: {run: 'ehrql:v1 generate-dataset --output o/d.csv', outputs: {highly_sensitive: {d: o/d.csv}}}\n  b: {run: 'r:latest 1', outputs: {highly_sensitive: {d: b.csv}}}\n  c: {run: 'r:latest 2', outputs: {highly_sensitive: {d: c.csv}}}\n  d: {run: 'python:v2 x', outputs: {highly_sensitive: {d: d.csv}}}\n";
    assert_eq!(
        load_ok(four).action_images(),
        ["ehrql:v1", "python:v2", "r:v1"]
    );
    let five = four
        .replace("version: 4", "version: 5")
        .replace("r:latest 1", "r:v1 1")
        .replace("r:latest 2", "r:v2 2");
    assert_eq!(
        load_ok(&five).action_images(),
        ["ehrql:v1", "python:v2", "r:v1", "r:v2"]
    );
}

#[test]
fn latest_refused_in_v5() {
    for run in [
        "ehrql:latest generate-dataset --output a.csv",
        "r:latest 1",
        "python:latest   do python thing",
        "' reusable:latest x'",
    ] {
        let yaml = action_a(
            "5",
            &run_with_output(run, "highly_sensitive", &[("c", "a.csv")]),
        )
        .replace("  a:", "  my_action:");
        let first = rules::split_command(run.trim_matches('\''))
            .unwrap_or_default()
            .remove(0);
        assert!(
            load_err(&yaml).contains(&format!(
                "Action my_action uses `{first}`, which is not supported. Provide a version e.g. `:v2` instead"
            )),
            "{run}"
        );
    }
}

#[test]
fn project_fixture_lists_all_actions() {
    let text = include_str!("../fixtures/pipeline/project.yaml");
    assert_eq!(
        load_ok(text).all_actions(),
        [
            "generate_cohort",
            "prepare_data_m",
            "prepare_data_f",
            "prepare_data_with_quote_in_filename",
            "analyse_data",
            "test_reusable_action",
            "test_cancellation"
        ]
    );
}

// ---- tests/test_loading.py and test_main.py ----

#[test]
fn duplicate_keys_are_yaml_errors() {
    let err = load_err("test:\ntest:\n");
    assert!(
        err.starts_with(
            "while constructing a mapping\n  in \"<unicode string>\", line 1, column 1:"
        )
    );
    assert!(
        err.contains("found duplicate key \"test\" with value \"None\" (original value: \"None\")")
    );
    assert!(!err.contains("To suppress this check"));
    let nested = load_err("version: 4\nactions:\n  a:\n    duplicate: 1\n    duplicate: 2\n");
    assert!(nested.contains("found duplicate key \"duplicate\" with value \"2\""));
}

#[test]
fn validation_errors_carry_the_prefix() {
    let err = load_err("version: asdf\nactions: {}\n");
    assert!(err.starts_with("Invalid project: \n"));
}

// ---- type validation (test_type_validation.py) ----

fn type_cases() -> Vec<Case> {
    let action = |body: &str| {
        format!("version: 3\nexpectations: {{population_size: 10}}\nactions:\n  action1: {body}\n")
    };
    vec![
        case(
            "no actions",
            "version: 3\nexpectations: {population_size: 10}\n",
            Invalid("Project `actions` section must be a dictionary"),
        ),
        case(
            "actions list",
            "version: 3\nexpectations: {population_size: 10}\nactions: []\n",
            Invalid("Project `actions` section must be a dictionary"),
        ),
        case(
            "expectations list",
            "version: 3\nexpectations: []\nactions: {}\n",
            Invalid("Project `expectations` section must be a dictionary"),
        ),
        case(
            "outputs list",
            action("{run: test:v1, outputs: []}"),
            Invalid("`outputs` section for action action1 must be a dictionary"),
        ),
        case(
            "run list",
            action("{run: [test:v1], outputs: {}}"),
            Invalid("`run` section for action action1 must be a string"),
        ),
        case(
            "needs string",
            action("{run: test:v1, needs: '', outputs: {highly_sensitive: {c: a.csv}}}"),
            Invalid("`needs` section for action action1 must be a list"),
        ),
        case(
            "config list",
            action("{run: test:v1, config: [], outputs: {highly_sensitive: {c: a.csv}}}"),
            Invalid("`config` section for action action1 must be a dictionary"),
        ),
        case(
            "dummy_data_file list",
            action("{run: test:v1, dummy_data_file: [], outputs: {highly_sensitive: {c: a.csv}}}"),
            Invalid("`dummy_data_file` section for action action1 must be a string"),
        ),
        case(
            "level list",
            action("{run: test:v1, outputs: {highly_sensitive: []}}"),
            Invalid("`highly_sensitive` section for action action1 must be a dictionary"),
        ),
        case(
            "output mapping",
            action("{run: test:v1, outputs: {highly_sensitive: {dataset: {}}}}"),
            Invalid("`dataset` output for action action1 must be a string"),
        ),
        case(
            "top-level extra",
            "extra: 1\n",
            Invalid("Unexpected parameters (extra) in project"),
        ),
        case(
            "action extra",
            action("{run: test:v1, extra: 1, outputs: {highly_sensitive: {c: a.csv}}}"),
            Invalid("Unexpected parameters (extra) in action action1"),
        ),
        case(
            "outputs extra",
            action("{run: test:v1, outputs: {highly_sensitive: {dataset: {}}, extra: 1}}"),
            Invalid("Unexpected parameters (extra) in `outputs` section for action action1"),
        ),
        case(
            "expectations extra",
            "version: 3\nexpectations: {population_size: 10, extra: 1}\nactions: {}\n",
            Invalid("Unexpected parameters (extra) in project `expectations` section"),
        ),
    ]
}

#[test]
fn type_validation() {
    run_cases(&type_cases());
}

// ---- test_features.py, test_legacy.py, test_outputs.py ----

#[test]
fn features_by_version() {
    // Observable through the rules each flag switches on.
    let dup = |v: &str| {
        action_a(
            v,
            &run_with_output(
                "test:v1",
                "highly_sensitive",
                &[("a", "a.csv"), ("b", "a.csv")],
            ),
        )
    };
    assert!(pipeline::load(&dup("1")).is_ok());
    assert!(pipeline::load(&dup("2")).is_err());
    let above = pipeline::load(&action_a(
        "6",
        &run_with_output("test:v1", "highly_sensitive", &[("a", "a.csv")]),
    ));
    assert!(above.is_err_and(|e| e.message.contains("The latest version is v5, but got v6.0")));
    assert_eq!(pipeline::LATEST_VERSION, 5.0);
}

#[test]
fn all_output_patterns() {
    let p = load_ok(
        "version: 1\nactions:\n  a:\n    run: test:v1 a\n    outputs: {highly_sensitive: {c: output/input.csv}}\n  b:\n    run: test:v1 b\n    outputs: {moderately_sensitive: {g: output/graph_*.png, t: output/*.csv}}\n",
    );
    assert_eq!(
        p.output_patterns(),
        ["output/input.csv", "output/graph_*.png", "output/*.csv"]
    );
}

#[test]
fn output_dirs() {
    assert_eq!(
        rules::output_dirs(["output/a.csv", "output/b.csv"]),
        ["output"]
    );
    assert_eq!(rules::output_dirs(["1a/a.csv", "2a/b.csv"]), ["1a", "2a"]);
}

#[test]
fn valid_helper_is_usable() {
    valid(&load_ok(&action_a(
        "5",
        &run_with_output("test:v1", "highly_sensitive", &[("a", "a.csv")]),
    )));
}
