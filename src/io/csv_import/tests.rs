//! Tests of the CSV import.

use super::*;

/// A file parsed as it is read, in regions of a few bytes (so that cuts land
/// everywhere), gives what parsing its bytes gives; where a guessed cut falls
/// inside a quoted field, it declines and the exact path takes over.
#[test]
fn files_parsed_as_read_equal_bytes_parsed() {
    let dir = std::env::temp_dir().join(format!("te-stream-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let plain = "id,name,lat,lon,potential,territory,rep\n\
        A1,Alpha,40.1,-100.2,1000,North,Ann\n\
        A2,\"Beta, Inc.\",41.2,-101.3,2000,South,\n\
        \n\
        A3,Gamma,,,,North,Bob\n\
        A1,Again,42.0,-99.0,5,North,\n\
        A4,Delta,43.5,-98.1,4000,,\n\
        Total,,,,7005,,\n";
    let multiline = "id,name,lat,lon\nB1,\"two\nlines\",40,-100\nB2,\"x\",41,-101\nB3,\"three\n\nlines\",42,-102\n";
    let crlf = plain.replace('\n', "\r\n");
    for (k, text) in [plain, multiline, crlf.as_str()].into_iter().enumerate() {
        let path = dir.join(format!("f{k}.csv"));
        std::fs::write(&path, text).expect("written");
        let (want, want_report) =
            import_bytes(text.as_bytes(), &path.display().to_string(), &ImportOptions::default()).expect("imports");
        if k == 0 {
            // After a blank line, the next record's line is still its own.
            let a3 = RowIssue { line: 5, reason: "missing latitude".to_owned(), id: Some("A3".to_owned()) };
            assert!(want_report.rejected.contains(&a3), "{:?}", want_report.rejected);
            assert_eq!(want_report.skipped.last().map(|s| s.line), Some(8), "the totals row");
        }
        let mut streamed = 0;
        for region in 1..=text.len() {
            let Some(parsed) = parse_file(&path, &ImportOptions::default(), region, 0).expect("reads") else {
                continue;
            };
            streamed += 1;
            let (plan, report) = parsed.in_file_order();
            assert_eq!(plan, want, "region {region}");
            assert_eq!(report.rejected, want_report.rejected, "region {region}");
            assert_eq!(report.skipped, want_report.skipped, "region {region}");
        }
        assert!(streamed > 0, "file {k} was parsed as read at some region size");
    }
    std::fs::remove_dir_all(&dir).ok();
}

proptest::proptest! {
    /// Cuts fall on record boundaries whatever the region size: quoted newlines,
    /// doubled quotes and blank lines included, the pieces hold the records whole.
    #[test]
    fn cuts_keep_records_whole(
        rows in proptest::collection::vec(("[a-z]{0,3}", proptest::bool::ANY, proptest::bool::ANY), 1..40),
        size in 1usize..64,
    ) {
        let mut body = String::new();
        for (text, quoted, blank) in &rows {
            if *quoted {
                body.push_str(&format!("\"{text}\n\"\"x\",1\n"));
            } else {
                body.push_str(&format!("{text},1\n"));
            }
            if *blank {
                body.push('\n');
            }
        }
        let records = |b: &[u8]| -> Vec<csv::ByteRecord> {
            let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(b);
            reader.byte_records().flatten().collect()
        };
        let whole = records(body.as_bytes());
        let cuts = cut_points_every(body.as_bytes(), size);
        proptest::prop_assert_eq!(cuts.first().map(|c| c.0), Some(0));
        proptest::prop_assert_eq!(cuts.last().map(|c| c.1), Some(body.len()));
        let mut joined = Vec::new();
        for &(a, b) in &cuts {
            proptest::prop_assert!(a < b);
            proptest::prop_assert!(a == 0 || body.as_bytes()[a - 1] == b'\n');
            joined.extend(records(&body.as_bytes()[a..b]));
        }
        proptest::prop_assert_eq!(joined, whole);
        let blanks: usize = cuts
            .iter()
            .map(|&(a, b)| for_each_record(&body.as_bytes()[a..b], b',', |_, _| {}).map_or(0, |l| l.blanks.len()))
            .sum();
        proptest::prop_assert_eq!(blanks, rows.iter().filter(|r| r.2).count());
    }
}

#[test]
fn headers_normalize() {
    assert_eq!(normalize_header("Billing Latitude"), "billinglatitude");
    assert_eq!(normalize_header("Längengrad"), "laengengrad");
    assert_eq!(Field::parse("Kundennummer"), Some(Field::Id));
    assert_eq!(Field::parse("visits_per_year"), Some(Field::VisitsPerYear));
    assert_eq!(Field::parse("nonsense"), None);
}

#[test]
fn delimiter_and_blank_lines() {
    assert_eq!(detect_delimiter(b"a;b;c\n1;2;3"), b';');
    assert_eq!(detect_delimiter(b"a\tb\n"), b'\t');
    assert_eq!(detect_delimiter(b"\"x;y\",b,c\n"), b',');
    assert_eq!(blank_lines(b"a\n\nb\n\"x\n\ny\"\n"), vec![2]);
}

/// A file that is not UTF-8 anywhere (here in its last record) is read as Latin-1,
/// all of it; a UTF-8 file keeps its accents.
#[test]
fn latin1_files_are_read_whole() {
    let mut bytes = "id;name;lat;lon\n1;Caf\u{e9} M\u{fc}ller;48.1;11.5\n".as_bytes().to_vec();
    let (plan, _) = import_bytes(&bytes, "utf8.csv", &ImportOptions::default()).expect("imports");
    assert_eq!(plan.accounts.get(0).name, "Caf\u{e9} M\u{fc}ller");
    bytes.extend_from_slice(b"2;B\xe4cker;48.2;11.6\n");
    let (plan, report) = import_bytes(&bytes, "latin1.csv", &ImportOptions::default()).expect("imports");
    assert_eq!(report.accepted, 2);
    assert_eq!(plan.accounts.get(1).name, "B\u{e4}cker");
    // The first record's UTF-8 bytes, read as Latin-1, as the whole file is.
    assert_eq!(plan.accounts.get(0).name, "Caf\u{c3}\u{a9} M\u{c3}\u{bc}ller");
}

/// Windows-1252's own characters (0x80–0x9F) come through as what Excel meant:
/// byte values from the code page's published table.
#[test]
fn windows_1252_files_keep_euro_signs_and_quotes() {
    let bytes = b"id;name;lat;lon
1;\x84M\xfcller\x93 \x96 \x80 \x8a\x9e\x9f;48,1;11,5
"
    .to_vec();
    let (plan, report) = import_bytes(&bytes, "cp1252.csv", &ImportOptions::default()).expect("imports");
    assert_eq!(report.accepted, 1);
    assert_eq!(plan.accounts.get(0).name, "\u{201e}M\u{fc}ller\u{201c} \u{2013} \u{20ac} \u{160}\u{17e}\u{178}");
}

#[test]
fn german_file() {
    let text = "Kundennummer;Firma;Breitengrad;Längengrad;Potenzial\n\
                K1;Müller GmbH;48,137;11,575;1.234.000,00\n\
                K2;\"Schmidt; Söhne\";52,52;13,405;12,5\n\
                K3;Kaputt;abc;13,4;1\n\
                K1;Doppelt;50,0;10,0;1\n\
                Summe;;;;1.234.012,50\n";
    let (plan, report) = import_bytes(text.as_bytes(), "de.csv", &ImportOptions::default()).expect("imports");
    assert_eq!(report.decimal, Some(DecimalFormat::Comma));
    assert_eq!(plan.accounts.len(), 2);
    assert_eq!(plan.accounts.get(0).potential, Cents(123_400_000));
    assert_eq!(plan.accounts.get(1).name, "Schmidt; Söhne");
    let lines: Vec<u64> = report.rejected.iter().map(|r| r.line).collect();
    assert_eq!(lines, vec![4, 5]);
    assert_eq!(report.skipped, vec![RowIssue::line(6, "totals row")]);
}

#[test]
fn missing_columns_are_named() {
    let err = import_bytes(b"foo,bar\n1,2\n", "x.csv", &ImportOptions::default()).expect_err("no columns");
    let msg = err.to_string();
    assert!(msg.contains("no column for id, lat, lon"), "{msg}");
    assert!(msg.contains("foo, bar"), "{msg}");
}

#[cfg(test)]
mod order_tests {
    use super::*;

    #[test]
    fn territories_in_natural_name_order() {
        let text = "id,lat,lon,territory\na,1,1,Band 10\nb,1,1,Band 2\nc,1,1,Alpha\nd,1,1,Band 2\n";
        let (plan, _) = import_bytes(text.as_bytes(), "t.csv", &ImportOptions::default()).expect("imports");
        let names: Vec<&str> = plan.territories.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["Alpha", "Band 2", "Band 10"]);
        let owner = |i: usize| plan.territory_name(plan.assignment[i]);
        assert_eq!([owner(0), owner(1), owner(2), owner(3)], ["Band 10", "Band 2", "Alpha", "Band 2"]);
    }
}
