//! The oracle-verified edge cases of spec/pipeline.md §21, one table row per case.
//! Unless a case says otherwise, the file has version 4 and one action `a` with run
//! `python:v1 a.py` and a highly_sensitive output.

use crate::pipeline_common::{
    ACTION_A, Case, Expect::*, action_a, case, run_cases, run_with_output, valid, with_version,
};

const STANDARD_FORM: &str = "is not in standard form (contains double slashes or '..' elements)";
const ABSOLUTE: &str = "is an absolute path";
const NO_EXTENSION: &str = "output paths must have a file type extension at the end";
const NOT_A_NUMBER: &str = "`version` must be a number between 1 and 5";
const NEEDS_VERSION: &str = "Project file must have a `version` attribute";
const BAD_TAG: &str =
    "Action command python must have a version specified in the form :vN (e.g. python:v2)";
const EXPECTATIONS_V4: &str =
    "Project includes `expectations` section, which is not supported in this version.";
const POPULATION_NAN: &str = "Project expectations population size must be a number";
const AT_LEAST_ONE: &str = "must specify at least one output of: highly_sensitive, moderately_sensitive, minimally_sensitive";
const UNKNOWN_NEED: &str = "Action `a` references an unknown action in its `needs` list: ";
const DUPLICATE_KEY: &str = "found duplicate key";
const NOT_UNIQUE: &str = "Output path a.csv is not unique";
const COHORT: &str = "cohortextractor:latest generate_cohort";

type Check = fn(&jobaudit::pipeline::Pipeline);

fn v3_with_population(value: &str) -> String {
    format!("version: 3\nexpectations:\n  population_size: {value}\n{ACTION_A}")
}

fn highly(pattern: &str) -> String {
    action_a(
        "4",
        &run_with_output("python:v1 a.py", "highly_sensitive", &[("x", pattern)]),
    )
}

fn moderately(pattern: &str) -> String {
    action_a(
        "4",
        &run_with_output("python:v1 a.py", "moderately_sensitive", &[("x", pattern)]),
    )
}

fn minimally(pattern: &str) -> String {
    action_a(
        "4",
        &run_with_output("python:v1 a.py", "minimally_sensitive", &[("x", pattern)]),
    )
}

fn run(run: &str) -> String {
    action_a(
        "4",
        &run_with_output(run, "highly_sensitive", &[("x", "a.csv")]),
    )
}

fn two_actions(version: &str, a: &str, b: &str) -> String {
    let indent = |s: &str| s.lines().map(|l| format!("    {l}\n")).collect::<String>();
    format!(
        "version: {version}\nactions:\n  a:\n{}  b:\n{}",
        indent(a),
        indent(b)
    )
}

fn needs(list: &str) -> String {
    two_actions(
        "4",
        &format!("run: python:v1 a.py\nneeds: {list}\noutputs:\n  highly_sensitive:\n    x: a.csv"),
        "run: python:v1 b.py\noutputs:\n  highly_sensitive:\n    x: b.csv",
    )
}

fn ehrql(run: &str, outputs: &str) -> String {
    action_a("4", &format!("run: {run}\noutputs:\n{}", indent2(outputs)))
}

fn indent2(s: &str) -> String {
    s.lines().map(|l| format!("  {l}\n")).collect()
}

fn version_cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for v in ["'3.0'", "3.0", "3", "'3'"] {
        cases.push(case(
            &format!("version {v} with expectations"),
            format!("version: {v}\nexpectations:\n  population_size: 10\n{ACTION_A}"),
            Valid(|p| assert_eq!(p.version, 3.0)),
        ));
    }
    cases.push(case(
        "version 3.5 without expectations",
        with_version("3.5"),
        Valid(|p| assert_eq!(p.population_size, Some(1000))),
    ));
    cases.push(case(
        "version 4.5 with expectations",
        format!("version: 4.5\nexpectations:\n  population_size: 10\n{ACTION_A}"),
        Invalid(EXPECTATIONS_V4),
    ));
    for v in ["0", "-1", ".5", "true", "'nan'"] {
        cases.push(case(
            &format!("version {v} behaves as 1"),
            with_version(v),
            Valid(valid),
        ));
    }
    for v in ["6", "'inf'", "5.0001", "1_1"] {
        cases.push(case(
            &format!("version {v} above 5"),
            with_version(v),
            Rejected("The latest version is v5, but got v"),
        ));
    }
    for v in ["abc", "[]", "yes", "!!python/int 4"] {
        cases.push(case(
            &format!("version {v} not a number"),
            with_version(v),
            Invalid(NOT_A_NUMBER),
        ));
    }
    cases.push(case(
        "version null",
        with_version(""),
        Invalid(NEEDS_VERSION),
    ));
    cases.push(case("version missing", ACTION_A, Invalid(NEEDS_VERSION)));
    for v in ["0x4", "0o4", "4.0e0", "' 4 '"] {
        cases.push(case(
            &format!("version {v} is 4"),
            with_version(v),
            Valid(|p| assert_eq!(p.version, 4.0)),
        ));
    }
    cases
}

fn expectations_cases() -> Vec<Case> {
    let mut cases = vec![case(
        "v2 expectations list ignored",
        format!("version: 2\nexpectations: [1, 2]\n{ACTION_A}"),
        Valid(|p| assert_eq!(p.population_size, Some(1000))),
    )];
    let sizes: [(&str, Check); 7] = [
        ("'1000'", |p| assert_eq!(p.population_size, Some(1000))),
        ("10.9", |p| assert_eq!(p.population_size, Some(10))),
        ("true", |p| assert_eq!(p.population_size, Some(1))),
        ("-5", |p| assert_eq!(p.population_size, Some(-5))),
        ("1e3", |p| assert_eq!(p.population_size, Some(1000))),
        ("\"1_000\"", |p| assert_eq!(p.population_size, Some(1000))),
        ("\"  12 \"", |p| assert_eq!(p.population_size, Some(12))),
    ];
    for (value, check) in sizes {
        cases.push(case(
            &format!("v3 population {value}"),
            v3_with_population(value),
            Valid(check),
        ));
    }
    for value in ["abc", "'10.5'", "", ".nan"] {
        cases.push(case(
            &format!("v3 population {value:?}"),
            v3_with_population(value),
            Invalid(POPULATION_NAN),
        ));
    }
    cases.push(case(
        "v3 population .inf",
        v3_with_population(".inf"),
        Rejected("OverflowError"),
    ));
    cases.push(case(
        "v4 null expectations",
        format!("version: 4\nexpectations:\n{ACTION_A}"),
        Valid(|p| assert_eq!(p.population_size, None)),
    ));
    cases.push(case(
        "v4 empty actions",
        "version: 4\nactions: {}\n",
        Valid(|p| assert!(p.actions.is_empty())),
    ));
    cases.push(case(
        "v3 empty actions without expectations",
        "version: 3\nactions: {}\n",
        Invalid("Project must include `expectations` section"),
    ));
    cases.push(case(
        "unknown top-level keys",
        format!("version: 4\nfoo: 1\nbar: 2\n{ACTION_A}"),
        Invalid("Unexpected parameters (foo, bar) in project"),
    ));
    cases
}

fn output_cases() -> Vec<Case> {
    let mut cases = vec![
        case(
            "empty level is a level",
            action_a("4", "run: python:v1 a.py\noutputs: {highly_sensitive: {}}"),
            Valid(|p| assert_eq!(p.actions[0].outputs.len(), 1)),
        ),
        case(
            "null level is no level",
            action_a(
                "4",
                "run: python:v1 a.py\noutputs: {highly_sensitive: null}",
            ),
            Invalid(AT_LEAST_ONE),
        ),
        case(
            "unknown level next to a known one",
            action_a(
                "4",
                "run: python:v1 a.py\noutputs:\n  secret: {y: b.csv}\n  highly_sensitive: {x: a.csv}",
            ),
            Invalid("Unexpected parameters (secret) in `outputs` section for action a"),
        ),
    ];
    for value in ["null", "1"] {
        cases.push(case(
            &format!("output value {value}"),
            action_a(
                "4",
                &format!("run: python:v1 a.py\noutputs:\n  highly_sensitive:\n    x: {value}"),
            ),
            Invalid("`x` output for action a must be a string"),
        ));
    }
    let patterns: [(&str, Option<&str>); 31] = [
        ("../x.txt", None),
        ("../../x.csv", None),
        ("a/../../x.csv", Some(STANDARD_FORM)),
        ("./x.txt", Some(STANDARD_FORM)),
        ("a/./x.txt", Some(STANDARD_FORM)),
        ("a/x.txt/", Some(STANDARD_FORM)),
        ("not//canonical.txt", Some(STANDARD_FORM)),
        ("//x.txt", Some(ABSOLUTE)),
        ("//server/share/x.txt", Some(ABSOLUTE)),
        ("/abs/path.txt", Some(ABSOLUTE)),
        ("c:/x.txt", Some(ABSOLUTE)),
        ("C:/x.txt", Some(ABSOLUTE)),
        ("c:x.txt", None),
        ("1:/x.txt", None),
        ("\"{a,b}.txt\"", None),
        ("~/x.csv", None),
        ("\"a b.csv\"", None),
        ("output/a:b.csv", None),
        ("\"*.csv\"", None),
        (
            "\"[square]brackets.txt\"",
            Some("contains '[' (only the * wildcard character is supported)"),
        ),
        ("outputs/.csv", Some(NO_EXTENSION)),
        ("outputs/x.", Some(NO_EXTENSION)),
        (".", Some(NO_EXTENSION)),
        ("..", Some(NO_EXTENSION)),
        ("/", Some(NO_EXTENSION)),
        ("\"\"", Some(NO_EXTENSION)),
        ("outputs/.hidden.csv", None),
        ("a..csv", None),
        ("a.tar.gz", None),
        ("/abs/../x.csv", Some(STANDARD_FORM)),
        ("/metadata/x.csv", Some(ABSOLUTE)),
    ];
    for (pattern, outcome) in patterns {
        let expect = match outcome {
            None => Valid(valid),
            Some(reason) => Invalid(reason),
        };
        cases.push(case(
            &format!("highly pattern {pattern}"),
            highly(pattern),
            expect,
        ));
    }
    for pattern in ["output.CSV", "x.csv.gz", "x.tsv", "x.pdf", "x.rds"] {
        cases.push(case(
            &format!("moderately {pattern}"),
            moderately(pattern),
            Invalid("is not an allowed file type for moderately_sensitive outputs"),
        ));
    }
    cases.push(case(
        "moderately ./x.pdf names x.pdf",
        moderately("./x.pdf"),
        Invalid("Output path ./x.pdf is invalid: x.pdf is not an allowed file type for moderately_sensitive outputs"),
    ));
    for pattern in ["\"*.csv\"", "x.svgz", "x.md", "OUTPUT/x.csv"] {
        cases.push(case(
            &format!("moderately {pattern}"),
            moderately(pattern),
            Valid(valid),
        ));
    }
    for pattern in ["x.pdf", "x.rds"] {
        cases.push(case(
            &format!("minimally {pattern}"),
            minimally(pattern),
            Valid(valid),
        ));
    }
    for pattern in [
        "Metadata/test.txt",
        "metadatax/test.txt",
        "output/metadata/test.txt",
    ] {
        cases.push(case(
            &format!("metadata lookalike {pattern}"),
            highly(pattern),
            Valid(valid),
        ));
    }
    cases.push(case(
        "moderately /abs/../x?.pdf: wildcard first",
        moderately("/abs/../x?.pdf"),
        Invalid("contains '?'"),
    ));
    cases
}

fn run_cases_table() -> Vec<Case> {
    let mut cases = Vec::new();
    for r in ["python a.py", "python:3.8", "python:V1", "python:v1:x"] {
        cases.push(case(&format!("run {r}"), run(r), Invalid(BAD_TAG)));
    }
    cases.push(case(
        "run :v1",
        run(":v1 a.py"),
        Valid(|p| assert_eq!(p.actions[0].run.image, "")),
    ));
    cases.push(case(
        "run with registry image",
        run("ghcr.io/opensafely-core/python:v1 a.py"),
        Valid(|p| assert_eq!(p.actions[0].run.image, "ghcr.io/opensafely-core/python")),
    ));
    cases.push(case("run python:v.", run("python:v. a.py"), Valid(valid)));
    cases.push(case("run python:v١", run("python:v١"), Valid(valid)));
    cases.push(case(
        "run with leading spaces",
        run("'  python:v1 a.py'"),
        Valid(|p| {
            assert_eq!(p.actions[0].run.raw, "  python:v1 a.py");
            assert_eq!(p.actions[0].run.parts, ["python:v1", "a.py"]);
        }),
    ));
    cases.push(case(
        "run of one space",
        run("\" \""),
        Rejected("IndexError"),
    ));
    cases.push(case(
        "run with unbalanced quote",
        run("'python:v1 \"a.py'"),
        Rejected("No closing quotation"),
    ));
    cases.push(case(
        "run with trailing backslash",
        run("'python:v1 a.py \\'"),
        Rejected("No escaped character"),
    ));
    cases.push(case(
        "run as folded block",
        action_a(
            "4",
            "run: >\n  python:v1 a.py\noutputs:\n  highly_sensitive:\n    x: a.csv",
        ),
        Valid(|p| assert_eq!(p.actions[0].run.raw, "python:v1 a.py\n")),
    ));
    cases.push(case(
        "run as literal block",
        action_a(
            "4",
            "run: |\n  python:v1 a.py\noutputs:\n  highly_sensitive:\n    x: a.csv",
        ),
        Valid(|p| assert_eq!(p.actions[0].run.raw, "python:v1 a.py\n")),
    ));
    cases.push(case(
        "v5 latest",
        action_a("5", &run_with_output("python:latest a.py", "highly_sensitive", &[("x", "a.csv")])),
        Invalid("Action a uses `python:latest`, which is not supported. Provide a version e.g. `:v2` instead"),
    ));
    cases.push(case(
        "v5 Latest",
        action_a(
            "5",
            &run_with_output("python:Latest a.py", "highly_sensitive", &[("x", "a.csv")]),
        ),
        Invalid(BAD_TAG),
    ));
    cases
}

fn needs_cases() -> Vec<Case> {
    vec![
        case("needs a string", needs("b"), Invalid("`needs` section for action a must be a list")),
        case("needs itself", needs("[a]"), Valid(valid)),
        case(
            "needs cycle",
            two_actions(
                "4",
                "run: python:v1 a.py\nneeds: [b]\noutputs:\n  highly_sensitive:\n    x: a.csv",
                "run: python:v1 b.py\nneeds: [a]\noutputs:\n  highly_sensitive:\n    x: b.csv",
            ),
            Valid(|p| assert_eq!(p.needs_closure(&["a".into()]), ["a", "b"])),
        ),
        case("needs twice", needs("[b, b]"), Valid(|p| assert_eq!(p.actions[0].needs, ["b", "b"]))),
        case("needs forward reference", needs("[b]"), Valid(valid)),
        case("needs other case", needs("[B]"), Invalid(UNKNOWN_NEED)),
        case("needs with comma", needs("['b,c']"), Invalid("unknown action in its `needs` list: b,c")),
        case("needs with tab", needs("[\"b\\tc\"]"), Invalid("unknown action in its `needs` list: b\tc")),
        case("needs an int", needs("[1]"), Rejected("TypeError")),
        case("needs a bool", needs("[true]"), Rejected("TypeError")),
        case(
            "v4 run_all with a dependant",
            two_actions(
                "4",
                "run: python:v1 a.py\noutputs:\n  highly_sensitive:\n    x: a.csv",
                "run: python:v1 b.py\nneeds: [run_all]\noutputs:\n  highly_sensitive:\n    x: b.csv",
            )
            .replacen("  a:\n", "  run_all:\n", 1),
            Valid(|p| {
                assert_eq!(p.all_actions(), ["b"]);
                assert!(p.warnings.iter().any(|w| w.contains("`run_all` is a reserved action name")));
            }),
        ),
        case(
            "v5 Run_All and 'run_all ' are ordinary",
            two_actions(
                "5",
                "run: python:v1 a.py\noutputs:\n  highly_sensitive:\n    x: a.csv",
                "run: python:v1 b.py\noutputs:\n  highly_sensitive:\n    x: b.csv",
            )
            .replacen("  a:\n", "  Run_All:\n", 1)
            .replacen("  b:\n", "  \"run_all \":\n", 1),
            Valid(valid),
        ),
        case(
            "v5 invalid action before run_all",
            "version: 5\nactions: {a: 1, run_all: 1}\n",
            Invalid("Configuration for action a must be a dictionary of key/value pairs"),
        ),
    ]
}

fn cross_action_cases() -> Vec<Case> {
    let plain =
        |run: &str, out: &str| format!("run: {run}\noutputs:\n  highly_sensitive:\n    x: {out}");
    vec![
        case(
            "runs differing in whitespace",
            two_actions("4", &plain("python:v1 a.py", "a.csv"), &plain("python:v1  a.py", "b.csv")),
            Valid(valid),
        ),
        case(
            "three identical runs",
            format!(
                "version: 4\nactions:\n{}",
                ["a", "b", "c"]
                    .iter()
                    .map(|n| format!("  {n}:\n    run: python:v1 a.py\n    outputs:\n      highly_sensitive:\n        x: {n}.csv\n"))
                    .collect::<String>()
            ),
            Invalid("Action b has the same 'run' command as other actions: a"),
        ),
        case(
            "v1 duplicate output path across actions",
            two_actions("1", &plain("python:v1 a.py", "a.csv"), &plain("python:v1 b.py", "a.csv")),
            Valid(valid),
        ),
        case(
            "v2 a.csv vs A.csv",
            two_actions("2", &plain("python:v1 a.py", "a.csv"), &plain("python:v1 b.py", "A.csv")),
            Valid(valid),
        ),
        case(
            "v2 overlapping globs",
            two_actions("2", &plain("python:v1 a.py", "output/a.csv"), &plain("python:v1 b.py", "output/*.csv")),
            Valid(valid),
        ),
        case(
            "v2 same path in two levels",
            action_a(
                "2",
                "run: python:v1 a.py\noutputs:\n  highly_sensitive:\n    x: a.csv\n  moderately_sensitive:\n    y: a.csv",
            ),
            Invalid(NOT_UNIQUE),
        ),
        case(
            "alias reuses outputs",
            "version: 4\nactions:\n  a:\n    run: python:v1 a.py\n    outputs: &out\n      highly_sensitive:\n        x: a.csv\n  b:\n    run: python:v1 b.py\n    outputs: *out\n",
            Invalid(NOT_UNIQUE),
        ),
    ]
}

fn command_cases() -> Vec<Case> {
    let cohort = |run: &str, outputs: &str| {
        action_a("1", &format!("run: {run}\noutputs:\n{}", indent2(outputs)))
    };
    vec![
        case(
            "generate_cohort with three directories",
            cohort(
                COHORT,
                "highly_sensitive:\n  a: output/a.csv\n  b: other/b.csv\n  c: c.csv",
            ),
            Invalid(
                "generate_cohort command should produce output in only one directory, found 3:",
            ),
        ),
        case(
            "generate_cohort with an empty level",
            cohort(COHORT, "highly_sensitive: {}"),
            Invalid(
                "generate_cohort command should produce output in only one directory, found 0:",
            ),
        ),
        case(
            "generate_cohort with two spaces is not checked",
            cohort(
                "'cohortextractor:latest  generate_cohort'",
                "highly_sensitive: {a: a.csv}\nmoderately_sensitive: {b: b.csv}",
            ),
            Valid(|p| assert!(p.actions[0].is_database_action)),
        ),
        case(
            "generate_cohortX is checked",
            cohort(
                "cohortextractor:latest generate_cohortX",
                "highly_sensitive: {a: a.csv}\nmoderately_sensitive: {b: b.csv}",
            ),
            Invalid("A `generate_cohort` action must have exactly one output; a had 2"),
        ),
        case(
            "cohortextractor-v2 is not checked",
            cohort(
                "cohortextractor-v2:latest generate_cohort",
                "highly_sensitive: {a: a.csv}\nmoderately_sensitive: {b: b.csv}",
            ),
            Valid(valid),
        ),
        case(
            "v4 cohortextractor generate_measures",
            run("cohortextractor:v1 generate_measures"),
            Invalid(
                "Action a uses cohortextractor actions, which are not supported in this version.",
            ),
        ),
        case(
            "v4 cohortextractor-v2",
            run("cohortextractor-v2:v1 generate_cohort"),
            Invalid(
                "Action a uses cohortextractor actions, which are not supported in this version.",
            ),
        ),
        case(
            "v4 generate_cohort with two levels",
            action_a(
                "4",
                &format!(
                    "run: {COHORT}\noutputs:\n  highly_sensitive: {{a: a.csv}}\n  moderately_sensitive: {{b: b.csv}}"
                ),
            ),
            Invalid("A `generate_cohort` action must have exactly one output; a had 2"),
        ),
        case(
            "ehrql --output last with no value",
            ehrql(
                "ehrql:v1 generate-dataset d.py --output",
                "highly_sensitive: {d: output/d.csv}",
            ),
            Invalid("`a` action does not provide an `--output` argument"),
        ),
        case(
            "ehrql --output=",
            ehrql(
                "ehrql:v1 generate-dataset d.py --output=",
                "highly_sensitive: {d: output/d.csv}",
            ),
            Invalid("`a` action does not provide an `--output` argument"),
        ),
        case(
            "ehrql spec is not normalised",
            ehrql(
                "ehrql:v1 generate-dataset d.py --output ./output/d.csv",
                "highly_sensitive: {d: output/d.csv}",
            ),
            Invalid("output specification must match the `--output` argument in the `run` command"),
        ),
        case(
            "ehrql first --output wins",
            ehrql(
                "ehrql:v1 generate-dataset d.py --output output/a.csv --output output/b.csv",
                "highly_sensitive: {d: output/a.csv}",
            ),
            Valid(valid),
        ),
        case(
            "ehrql extra patterns allowed",
            ehrql(
                "ehrql:v1 generate-dataset d.py --output output/d.csv",
                "highly_sensitive: {d: output/d.csv, e: output/e.csv}",
            ),
            Valid(valid),
        ),
        case(
            "ehrql empty moderately level",
            ehrql(
                "ehrql:v1 generate-dataset d.py --output output/d.csv",
                "highly_sensitive: {d: output/d.csv}\nmoderately_sensitive: {}",
            ),
            Valid(valid),
        ),
        case(
            "ehrql directory mode with empty level",
            ehrql(
                "ehrql:v1 generate-dataset d.py --output outputs:arrow",
                "highly_sensitive: {}",
            ),
            Valid(valid),
        ),
        case(
            "ehrql file mode with empty level",
            ehrql(
                "ehrql:v1 generate-dataset d.py --output output/d.csv",
                "highly_sensitive: {}",
            ),
            Invalid("              got: \nbut was expecting: output/d.csv"),
        ),
        case(
            "ehrql generate_dataset is checked",
            ehrql(
                "ehrql:v1 generate_dataset d.py --output output/d.csv",
                "highly_sensitive: {d: output/x.csv}",
            ),
            Invalid("output specification must match"),
        ),
        case(
            "ehrql generate_dataset is not a database action",
            ehrql(
                "ehrql:v1 generate_dataset d.py --output output/d.csv",
                "highly_sensitive: {d: output/d.csv}",
            ),
            Valid(|p| assert!(!p.actions[0].is_database_action)),
        ),
        case(
            "myehrql is not checked",
            ehrql(
                "myehrql:v1 generate-dataset d.py --output output/d.csv",
                "highly_sensitive: {d: output/x.csv}",
            ),
            Valid(valid),
        ),
        case(
            "ehrql with two spaces is not checked",
            ehrql(
                "'ehrql:v1  generate-dataset d.py --output output/d.csv'",
                "highly_sensitive: {d: output/x.csv}",
            ),
            Valid(valid),
        ),
        case(
            "ehrql generate-measures is not checked",
            ehrql(
                "ehrql:v1 generate-measures m.py --output output/m.csv",
                "moderately_sensitive: {m: output/x.csv}",
            ),
            Valid(|p| assert!(p.actions[0].is_database_action)),
        ),
        case(
            "sqlrunner with any outputs",
            ehrql(
                "sqlrunner:v1 q.sql --output output/q.csv",
                "moderately_sensitive: {m: output/x.csv}",
            ),
            Valid(|p| assert!(p.actions[0].is_database_action)),
        ),
    ]
}

fn yaml_cases() -> Vec<Case> {
    vec![
        case(
            "duplicate top-level key",
            format!("version: 4\nversion: 4\n{ACTION_A}"),
            Invalid(DUPLICATE_KEY),
        ),
        case(
            "duplicate action key",
            action_a(
                "4",
                "run: python:v1 a.py\nrun: python:v1 b.py\noutputs: {highly_sensitive: {x: a.csv}}",
            ),
            Invalid(
                "found duplicate key \"run\" with value \"python:v1 b.py\" (original value: \"python:v1 a.py\")",
            ),
        ),
        case(
            "duplicate key in flow map",
            action_a(
                "4",
                "run: python:v1 a.py\noutputs: {highly_sensitive: {x: a.csv, x: b.csv}}",
            ),
            Invalid(DUPLICATE_KEY),
        ),
        case(
            "bad indentation",
            "version: 4\n  actions: {}\n",
            Invalid("mapping values are not allowed here"),
        ),
        case(
            "tab indentation",
            "version: 4\nactions:\n\ta: 1\n",
            Invalid("found character '\\t' that cannot start any token"),
        ),
        case(
            "two documents",
            format!("version: 4\n---\n{ACTION_A}"),
            Invalid("expected a single document in the stream"),
        ),
        case("empty file", "", Rejected("TypeError")),
        case("comment-only file", "# nothing\n", Rejected("TypeError")),
        case("top-level list", "- version: 4\n", Rejected("TypeError")),
        case(
            "top-level int key",
            format!("1: 2\n{}", with_version("4")),
            Rejected("keywords must be strings"),
        ),
        case(
            "top-level bool key",
            format!("true: 2\n{}", with_version("4")),
            Rejected("keywords must be strings"),
        ),
        case(
            "top-level complex key",
            format!("? [a]\n: 2\n{}", with_version("4")),
            Rejected("keywords must be strings"),
        ),
        case(
            "int key inside an action",
            action_a(
                "4",
                "run: python:v1 a.py\n1: x\noutputs: {highly_sensitive: {x: a.csv}}",
            ),
            Rejected("keywords must be strings"),
        ),
        case(
            "int key inside outputs",
            action_a(
                "4",
                "run: python:v1 a.py\noutputs: {highly_sensitive: {x: a.csv}, 1: x}",
            ),
            Rejected("keywords must be strings"),
        ),
        case(
            "int and null action names",
            "version: 4\nactions:\n  1:\n    run: python:v1 a.py\n    outputs: {highly_sensitive: {x: a.csv}}\n  ~:\n    run: python:v1 b.py\n    outputs: {highly_sensitive: {x: b.csv}}\n",
            Valid(|p| assert_eq!(p.all_actions(), ["1", "null"])),
        ),
        case(
            "int output name",
            action_a(
                "4",
                "run: python:v1 a.py\noutputs: {highly_sensitive: {1: a.csv}}",
            ),
            Valid(|p| assert_eq!(p.actions[0].outputs[0].1[0].name, "1")),
        ),
        case(
            "merge key into an action",
            "version: 4\ncommon: &c\n  outputs: {highly_sensitive: {x: a.csv}}\n".replace(
                "common: &c\n  outputs",
                "actions:\n  a:\n    <<: &c\n      outputs",
            ) + "    run: python:v1 a.py\n",
            Valid(|p| assert_eq!(p.actions[0].outputs.len(), 1)),
        ),
        case(
            "tagged run",
            action_a(
                "4",
                "run: !foo python:v1 a.py\noutputs: {highly_sensitive: {x: a.csv}}",
            ),
            Invalid("`run` section for action a must be a string"),
        ),
        case(
            "YAML 1.1 config",
            "%YAML 1.1\n---\nversion: 4\nactions:\n  a:\n    run: python:v1 a.py\n    config: {a: yes, g: 017}\n    outputs: {highly_sensitive: {x: a.csv}}\n".to_string(),
            Valid(|p| {
                assert_eq!(
                    p.actions[0].config,
                    Some(serde_json::json!({"a": true, "g": 15}))
                )
            }),
        ),
        case(
            "YAML 1.2 config",
            action_a(
                "4",
                "run: python:v1 a.py\nconfig: {a: yes, f: 0o17, g: 017, h: 1_000, l: 2020-01-01}\noutputs: {highly_sensitive: {x: a.csv}}",
            ),
            Valid(|p| {
                assert_eq!(
                    p.actions[0].config,
                    Some(
                        serde_json::json!({"a": "yes", "f": 15, "g": 17, "h": 1000, "l": "2020-01-01"})
                    )
                )
            }),
        ),
        case(
            "JSON syntax",
            r#"{"version": 4, "actions": {"a": {"run": "python:v1 a.py", "outputs": {"highly_sensitive": {"x": "a.csv"}}}}}"#,
            Valid(valid),
        ),
        case(
            "BOM",
            format!("\u{feff}{}", with_version("4")),
            Valid(valid),
        ),
        case(
            "CRLF",
            with_version("4").replace('\n', "\r\n"),
            Valid(valid),
        ),
    ]
}

#[test]
fn versions() {
    run_cases(&version_cases());
}

#[test]
fn expectations_and_top_level() {
    run_cases(&expectations_cases());
}

#[test]
fn outputs() {
    run_cases(&output_cases());
}

#[test]
fn run_commands() {
    run_cases(&run_cases_table());
}

#[test]
fn needs_and_run_all() {
    run_cases(&needs_cases());
}

#[test]
fn cross_action_rules() {
    run_cases(&cross_action_cases());
}

#[test]
fn command_specific_rules() {
    run_cases(&command_cases());
}

#[test]
fn yaml_layer() {
    run_cases(&yaml_cases());
}
