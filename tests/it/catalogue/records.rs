//! The export's files and records: one bad record costs that record alone, a file or
//! folder that is not what it should be is said plainly, and only the input's own files
//! are read.

use super::harness::*;
use serde_json::{Value, json};

/// `records` one a line, as bytes, with `bad` bytes put inside the string value of
/// record `at`'s identifier.
fn lines_with_bad_bytes(records: &[Value], at: usize, bad: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, record) in records.iter().enumerate() {
        let text = record.to_string();
        if i == at {
            let (before, after) = text.split_at(text.find("\"req-").unwrap() + 1);
            out.extend_from_slice(before.as_bytes());
            out.extend_from_slice(bad);
            out.extend_from_slice(after.as_bytes());
        } else {
            out.extend_from_slice(text.as_bytes());
        }
        out.push(b'\n');
    }
    out
}

fn gz(bytes: &[u8]) -> Vec<u8> {
    use flate2::{Compression, write::GzEncoder};
    use std::io::Write;
    let mut enc = GzEncoder::new(Vec::new(), Compression::default());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

fn three() -> Vec<Value> {
    vec![request(1), request(2), request(3)]
}

#[test]
fn bad_utf8_costs_its_line_in_json_lines_plain_and_gzipped() {
    let bytes = lines_with_bad_bytes(&three(), 1, b"\xff\xfe");
    for (name, content) in [
        ("job_requests.jsonl", bytes.clone()),
        ("job_requests.jsonl.gz", gz(&bytes)),
    ] {
        let export = Export::of(&[]);
        export.remove("job_requests.jsonl");
        export.write(name, &content);
        let run = export.build(&[]);
        run.expect(
            0,
            &[
                &format!("{name}:2:"),
                "job request 2",
                "not UTF-8",
                "3 job requests read, 2 rendered, 1 skipped",
            ],
        );
        assert_eq!(run.request_pages(), 2, "{name}");
    }
}

#[test]
fn bad_utf8_costs_its_element_in_a_json_array() {
    let records = three();
    let mut bytes = b"[\n".to_vec();
    let lines = lines_with_bad_bytes(&records, 2, b"\xc3");
    let elements: Vec<&[u8]> = lines
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    bytes.extend_from_slice(&elements.join(&b",\n"[..]));
    bytes.extend_from_slice(b"\n]\n");
    let export = Export::of(&[]);
    export.remove("job_requests.jsonl");
    export.write("job_requests.json", &bytes);
    let run = export.build(&[]);
    run.expect(0, &["job_requests.json:4:", "job request 3", "not UTF-8"]);
    assert_eq!(run.request_pages(), 2);
}

#[test]
fn bad_utf8_in_the_jobs_file_costs_that_job() {
    let export = Export::of(&three());
    let job = |id: u64| json!({"identifier": format!("loose-{id}"), "job_request_id": format!("req-{id}"), "action": "a", "status": "failed"});
    let mut bytes = job(1).to_string().into_bytes();
    bytes.extend_from_slice(b"\n{\"identifier\": \"loose-2\", \"action\": \"\x80\"}\n");
    bytes.extend_from_slice(job(3).to_string().as_bytes());
    export.write("jobs.jsonl", &bytes);
    let run = export.build(&[]);
    run.expect(0, &["jobs.jsonl:2:", "job loose-2", "not UTF-8"]);
    assert_eq!(run.request_pages(), 3);
}

/// Every name that becomes a path segment, one request each, one byte over the limit;
/// a name at the limit builds.
#[test]
fn a_name_too_long_for_a_path_costs_its_record() {
    let long = "n".repeat(256);
    let fields: [(&str, Value); 6] = [
        (
            "workspace",
            json!({"name": long, "repo": "https://github.com/o/ws"}),
        ),
        ("project", json!({"slug": long, "name": "P"})),
        ("created_by", json!({"username": long})),
        ("orgs", json!([{"slug": long}])),
        ("backend", json!({"slug": long})),
        ("identifier", json!(long)),
    ];
    let mut records = vec![request(1)];
    for (i, (field, value)) in fields.iter().enumerate() {
        let mut r = request(i as u64 + 2);
        r[*field] = value.clone();
        records.push(r);
    }
    let mut at_limit = request(20);
    at_limit["workspace"]["name"] = json!("w".repeat(255));
    records.push(at_limit);
    let export = Export::of(&records);
    let run = export.build(&[]);
    let mut expected = vec!["256 bytes long".to_owned()];
    for i in 0..fields.len() {
        expected.push(format!("job_requests.jsonl:{}:", i + 2));
        expected.push(format!("job request {}", i + 2));
    }
    let expected: Vec<&str> = expected.iter().map(String::as_str).collect();
    run.expect(0, &expected);
    assert!(
        run.stderr
            .contains("8 job requests read, 2 rendered, 6 skipped"),
        "{}",
        run.stderr
    );
    assert_eq!(run.request_pages(), 2);
}

/// Names that differ only in case from an earlier request's (by id) cost the later
/// record; the same name in another folder does not collide.
#[test]
fn names_that_differ_only_in_case_keep_the_first_spelling() {
    let with = |id: u64, field: &str, value: Value| {
        let mut r = request(id);
        r[field] = value;
        r
    };
    let records = vec![
        with(
            7,
            "workspace",
            json!({"name": "WS", "repo": "https://github.com/o/ws"}),
        ),
        request(1),
        with(2, "project", json!({"slug": "P", "name": "P"})),
        with(3, "created_by", json!({"username": "ANN"})),
        with(4, "orgs", json!([{"slug": "Org"}])),
        with(5, "backend", json!({"slug": "TPP"})),
        with(6, "project", json!({"slug": "q"})),
    ];
    // In another project, `WS` is another folder.
    let mut other = records[6].clone();
    other["id"] = json!(8);
    other["identifier"] = json!("req-8");
    other["project"] = json!({"slug": "r"});
    other["workspace"]["name"] = json!("WS");
    let mut records = records;
    records.push(other);
    let export = Export::of(&records);
    let run = export.build(&[]);
    run.expect(
        0,
        &[
            "job_requests.jsonl:1",
            "job request 7",
            "workspace name \"WS\" differs only in case from \"ws\" of job request 1",
            "job_requests.jsonl:3",
            "project slug \"P\"",
            "job request 3",
            "username \"ANN\"",
            "job request 4",
            "org slug \"Org\"",
            "job request 5",
            "backend slug \"TPP\"",
            "8 job requests read, 3 rendered, 5 skipped",
        ],
    );
    assert_eq!(run.request_pages(), 3);
}

#[test]
fn a_reserved_folder_name_in_another_case_is_refused() {
    let mut r = request(2);
    r["project"] = json!({"slug": "Orgs"});
    let export = Export::of(&[request(1), r]);
    let run = export.build(&[]);
    run.expect(
        0,
        &[
            "job_requests.jsonl:2",
            "job request 2",
            "collides with the site's own folder",
        ],
    );
    assert_eq!(run.request_pages(), 1);
}

/// job-server reads an empty job status as pending: the request is built, not skipped.
#[test]
fn an_empty_job_status_is_pending() {
    let mut r = request(2);
    r["jobs"][0]["status"] = json!("");
    r["jobs"][0].as_object_mut().unwrap().remove("completed_at");
    let export = Export::of(&[request(1), r]);
    let run = export.build(&["--strict"]);
    run.expect(0, &["2 job requests read, 2 rendered, 0 skipped"]);
    assert_eq!(run.request_pages(), 2);
    let page = std::fs::read_to_string(run.output.join("p/ws/2/index.html")).unwrap();
    assert!(page.contains("Pending"), "the request is pending");
}

#[test]
fn a_missing_input_folder_is_named() {
    let export = Export::of(&[request(1)]);
    let missing = export.beside("no-such-export");
    let output = export.beside("site");
    let run = run(
        &[
            "build".as_ref(),
            "--input".as_ref(),
            missing.as_os_str(),
            "--output".as_ref(),
            output.as_os_str(),
        ],
        output.clone(),
    );
    run.expect(2, &["input folder", "no-such-export does not exist"]);
    assert!(!output.exists());
}

#[test]
fn a_record_file_that_is_a_folder_is_named() {
    let export = Export::of(&[request(1)]);
    export.remove("job_requests.jsonl");
    std::fs::create_dir(export.input.join("job_requests.jsonl")).unwrap();
    export
        .build(&[])
        .expect(2, &["job_requests.jsonl is a folder: expected a file"]);

    let export = Export::of(&[request(1), request(2)]);
    std::fs::create_dir(export.input.join("jobs.jsonl")).unwrap();
    let run = export.build(&[]);
    run.expect(0, &["jobs.jsonl is a folder: expected a file"]);
    assert_eq!(run.request_pages(), 2);
    export
        .build(&["--strict"])
        .expect(1, &["jobs.jsonl is a folder"]);
}

#[test]
fn a_missing_or_misnamed_pipeline_store_is_said() {
    let export = Export::of(&[request(1), request(2)]);
    export.remove("pipelines");
    let run = export.build(&[]);
    run.expect(0, &["no pipeline store", "2 job requests with a commit"]);
    assert_eq!(run.request_pages(), 2);

    for near in ["Pipelines", "pipeline"] {
        let export = Export::of(&[request(1)]);
        std::fs::rename(export.input.join("pipelines"), export.input.join(near)).unwrap();
        let run = export.build(&[]);
        run.expect(
            0,
            &[
                near,
                "not read: the export's name for it is `pipelines`",
                "no pipeline store",
                "1 job requests with a commit",
            ],
        );
        assert_eq!(run.request_pages(), 1);
    }
}

/// Links that lead out of the input folder are not followed, whichever file they stand
/// for; links inside it are.
#[test]
fn links_out_of_the_input_are_not_followed() {
    let export = Export::of(&[request(1)]);
    let secret = export.beside("secret.md");
    std::fs::write(&secret, "# Secret\n\nTOP-SECRET-TEXT\n").unwrap();
    export.write("notes/inside.md", b"# Inside\n\nINSIDE-TEXT\n");
    export.link("pages/evil.md", &secret);
    export.link("pages/fine.md", &export.input.join("notes/inside.md"));
    export.link("site.toml", &export.beside("secret.md"));
    let yaml = export.beside("project.yaml");
    std::fs::write(&yaml, PROJECT_YAML).unwrap();
    export.link("pipelines/o/other/aaaaaaa/project.yaml", &yaml);
    let run = export.build(&[]);
    run.expect(
        0,
        &["pages/evil.md", "site.toml", "project.yaml", "not followed"],
    );
    assert!(run.files_containing("TOP-SECRET-TEXT").is_empty());
    assert!(
        !run.files_containing("INSIDE-TEXT").is_empty(),
        "a link inside is read"
    );
    assert_eq!(run.request_pages(), 1);

    let export = Export::of(&[]);
    export.remove("job_requests.jsonl");
    let records = export.beside("records.jsonl");
    std::fs::write(&records, request(1).to_string()).unwrap();
    export.link("job_requests.jsonl", &records);
    export
        .build(&[])
        .expect(2, &["job_requests.jsonl", "not followed"]);
}

/// A name with terminal escapes, control and bidi characters is shown escaped.
#[test]
fn control_characters_in_a_diagnostic_are_escaped() {
    let mut r = request(2);
    r["workspace"]["name"] = json!("\u{1b}[2J\u{1b}[31mws\u{202e}\u{7}");
    let export = Export::of(&[request(1), r]);
    let run = export.build(&[]);
    run.expect(0, &["job request 2", "\\u{1b}[2J", "\\u{202e}"]);
    assert!(!run.stderr.contains('\u{1b}') && !run.stderr.contains('\u{202e}'));
    assert_eq!(run.request_pages(), 1);
}

/// A gzipped request file that decompresses a thousandfold is refused before it takes
/// the memory: exit 2, the file named; nothing is built from it.
#[test]
fn a_gzip_bomb_is_refused_by_its_ratio() {
    let export = Export::of(&[request(1)]);
    export.remove("job_requests.jsonl");
    // 200 MB of blank lines: a valid JSON Lines file with no record, 0.2 MB gzipped.
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let blank = vec![b'\n'; 1 << 20];
    for _ in 0..200 {
        std::io::Write::write_all(&mut encoder, &blank).unwrap();
    }
    export.write("job_requests.jsonl.gz", &encoder.finish().unwrap());
    let run = export.build(&[]);
    run.expect(2, &["job_requests.jsonl.gz", "decompresses to more than"]);
    assert_eq!(run.request_pages(), 0);
}
