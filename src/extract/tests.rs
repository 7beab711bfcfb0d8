//! Extraction tests: header styles, OCR slips, a table of real-looking lines and
//! property tests over label x format x noise.

use super::*;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
}

#[test]
fn corpus_header_styles() {
    let e = extract(
        &["Clinic\nName: PEREZ, DANIEL Medical Record No.: 76420187 DOB: 12/15/1949\nDate of Service: 07/11/1997 Account: 674831898"],
        None,
        today(),
    );
    assert_eq!(e.name.unwrap().value, "PEREZ, DANIEL");
    assert_eq!(e.mrn.unwrap().value, "76420187");
    assert_eq!(e.dob.unwrap().value.to_string(), "1949-12-15");
    assert_eq!(e.service_date.unwrap().value.to_string(), "1997-07-11");

    let e = extract(
        &["Patient Name: WOODS, NICOLE MR#: 2179280l\nBirth Date: 06/14/35 DOS: 05/14/21"],
        None,
        today(),
    );
    assert_eq!(e.mrn.unwrap().value, "21792801", "l read as 1");
    assert_eq!(e.dob.unwrap().value.to_string(), "1935-06-14");
    assert_eq!(e.service_date.unwrap().value.to_string(), "2021-05-14");

    let e = extract(
        &["MR#: 73710172\nDOB: January 2, 1974\nDate of Service: 07/ 16/2022"],
        None,
        today(),
    );
    assert_eq!(e.dob.unwrap().value.to_string(), "1974-01-02");
    assert_eq!(e.service_date.unwrap().value.to_string(), "2022-07-16");
}

#[test]
fn continuation_pages_fill_what_the_first_lacks() {
    let e = extract(
        &["no header here", "Patient: DOE, JANE MRN: 00412345"],
        None,
        today(),
    );
    assert_eq!(e.mrn.as_ref().unwrap().doc_page, 2);
    assert!(e.service_date.is_none());
}

#[test]
fn two_values_of_a_field_are_a_conflict_and_the_first_is_kept() {
    let e = extract(
        &[
            "Patient: DOE, JANE MRN: 00412345",
            "Patient: DOE, JANE MRN: 00412346",
        ],
        None,
        today(),
    );
    assert_eq!(e.mrn.as_ref().unwrap().value, "00412345");
    assert_eq!(e.conflicts, vec!["mrn"]);
    let e = extract(&["MRN: 0O412345", "MRN: 00412345"], None, today());
    assert!(e.conflicts.is_empty(), "OCR look-alikes are the same MRN");
}

#[test]
fn ocr_slips_in_labels_and_values() {
    let e = extract(
        &["Patient Naane: SMITH. KATHERINE\nDOS; 08/08/2011 DOB: 10,/20/1975"],
        None,
        today(),
    );
    assert_eq!(e.name.unwrap().value, "SMITH, KATHERINE");
    assert_eq!(e.service_date.unwrap().value.to_string(), "2011-08-08");
    assert_eq!(e.dob.unwrap().value.to_string(), "1975-10-20");
    let e = extract(
        &["Patier! Name CRAIG, KATHLEEN\nService Date: 0405/2021"],
        None,
        today(),
    );
    assert_eq!(e.name.unwrap().value, "CRAIG, KATHLEEN");
    assert_eq!(e.service_date.unwrap().value.to_string(), "2021-04-05");
    let e = extract(&["-atient: JACKSON, MISTY"], None, today());
    assert_eq!(e.name.unwrap().value, "JACKSON, MISTY");
}

#[test]
fn spans_point_at_the_value() {
    let text = "Clinic\nMRN: 00412345 DOB: 01/02/1960";
    let e = extract(&[text], None, today());
    let m = e.mrn.unwrap();
    assert_eq!(&text[m.span.0..m.span.1], "00412345");
    let d = e.dob.unwrap();
    assert_eq!(&text[d.span.0..d.span.1], "01/02/1960");
}

#[test]
fn implausible_dates_are_dropped() {
    let e = extract(
        &["DOB: 01/01/2020 Date of Service: 01/01/2019"],
        None,
        today(),
    );
    assert!(e.dob.is_none(), "born after the service");
    let e = extract(&["Date of Service: 01/01/2031"], None, today());
    assert!(e.service_date.is_none(), "service in the future");
}

/// Real-looking chart lines (wordings, layouts and OCR slips beyond the dev corpus):
/// (text, document type, field, expected value; "-" for none).
const LINES: &[(&str, Option<DocType>, &str, &str)] = &[
    (
        "Name: PEREZ, DANIEL Medical Record No.: 76420187 DOB: 12/15/1949",
        None,
        "name",
        "PEREZ, DANIEL",
    ),
    (
        "Name: PEREZ, DANIEL Medical Record No.: 76420187 DOB: 12/15/1949",
        None,
        "mrn",
        "76420187",
    ),
    (
        "Name: PEREZ, DANIEL Medical Record No.: 76420187 DOB: 12/15/1949",
        None,
        "dob",
        "1949-12-15",
    ),
    (
        "Patient: Perez, Daniel MR#: 76420187",
        None,
        "name",
        "PEREZ, DANIEL",
    ),
    (
        "Patient Name: Daniel Perez MRN: 76420187",
        None,
        "name",
        "PEREZ, DANIEL",
    ),
    (
        "PATIENT NAME: DANIEL J. PEREZ DOB: 12/15/1949",
        None,
        "name",
        "PEREZ, DANIEL",
    ),
    (
        "Pt: O'Brien, Mary DOB: 3/4/1950",
        None,
        "name",
        "O'BRIEN, MARY",
    ),
    (
        "Name: GARCIA-LOPEZ, ANA M. Sex: F",
        None,
        "name",
        "GARCIA-LOPEZ, ANA",
    ),
    (
        "Physician Name: Dr. Alan Smith Patient Name: Jones, Karen",
        None,
        "name",
        "JONES, KAREN",
    ),
    ("Guarantor Name: SMITH, JOHN", None, "name", "-"),
    (
        "The patient is a 45-year-old man seen today.",
        None,
        "name",
        "-",
    ),
    (
        "Patient Name MRN DOB Date of Service\nPEREZ, DANIEL 76420187 12/15/1949 07/11/1997",
        None,
        "name",
        "PEREZ, DANIEL",
    ),
    (
        "Patient Name MRN DOB Date of Service\nPEREZ, DANIEL 76420187 12/15/1949 07/11/1997",
        None,
        "mrn",
        "76420187",
    ),
    (
        "Patient Name MRN DOB Date of Service\nPEREZ, DANIEL 76420187 12/15/1949 07/11/1997",
        None,
        "dob",
        "1949-12-15",
    ),
    (
        "Patient Name MRN DOB Date of Service\nPEREZ, DANIEL 76420187 12/15/1949 07/11/1997",
        None,
        "dos",
        "1997-07-11",
    ),
    (
        "Patient Name:\nWOODS, NICOLE",
        None,
        "name",
        "WOODS, NICOLE",
    ),
    ("Date of Birth:\n06/14/1935", None, "dob", "1935-06-14"),
    ("Medical Record Number: 2179280l", None, "mrn", "21792801"),
    ("MR No: 0O412345", None, "mrn", "00412345"),
    (
        "Med Rec #: 55512345 Acct: 998877665",
        None,
        "mrn",
        "55512345",
    ),
    ("Account: 674831898", None, "mrn", "-"),
    ("DOB: 23-MAY-1996", None, "dob", "1996-05-23"),
    ("Date of Birth: May 23, 1996", None, "dob", "1996-05-23"),
    ("Birth Date: 23 May 1996", None, "dob", "1996-05-23"),
    ("D.O.B.: MAY 23 1996", None, "dob", "1996-05-23"),
    ("Born: 1996-05-23", None, "dob", "1996-05-23"),
    ("DOB 05.23.1996", None, "dob", "1996-05-23"),
    ("D0B: O5/23/l996", None, "dob", "1996-05-23"),
    ("Birthdate: 5-23-1996", None, "dob", "1996-05-23"),
    ("DOB: 06/14/35 DOS: 05/14/21", None, "dob", "1935-06-14"),
    ("DOB: 06/14/35 DOS: 05/14/21", None, "dos", "2021-05-14"),
    (
        "Date of Service: 07/11/1997 Account: 674831898",
        None,
        "dos",
        "1997-07-11",
    ),
    ("Service Date: July 11, 1997", None, "dos", "1997-07-11"),
    ("DOS: 11-JUL-1997", None, "dos", "1997-07-11"),
    ("Dates of Service: 07/11/1997", None, "dos", "1997-07-11"),
    (
        "Visit Date: 7/11/97",
        Some(DocType::ProgressNote),
        "dos",
        "1997-07-11",
    ),
    (
        "Encounter Date: 1997-07-11",
        Some(DocType::ProgressNote),
        "dos",
        "1997-07-11",
    ),
    (
        "Date of Visit: Jul. 11, 1997",
        Some(DocType::ProgressNote),
        "dos",
        "1997-07-11",
    ),
    (
        "Admission Date: 07/07/1997 Discharge Date: 07/11/1997",
        Some(DocType::DischargeSummary),
        "dos",
        "1997-07-11",
    ),
    (
        "Date of Admission: 07/07/1997 Date of Discharge: 07/11/1997",
        Some(DocType::DischargeSummary),
        "dos",
        "1997-07-11",
    ),
    (
        "Admission Date: 07/07/1997",
        Some(DocType::HistoryAndPhysical),
        "dos",
        "1997-07-07",
    ),
    (
        "Admission Date: 07/07/1997 Discharge Date: 07/11/1997 Date of Service: 07/09/1997",
        Some(DocType::DischargeSummary),
        "dos",
        "1997-07-09",
    ),
    (
        "Date of Surgery: 03/02/2004 Dictated: 03/05/2004",
        Some(DocType::OperativeReport),
        "dos",
        "2004-03-02",
    ),
    (
        "Procedure Date: 2004-03-02",
        Some(DocType::OperativeReport),
        "dos",
        "2004-03-02",
    ),
    (
        "Surgery Date: MAR 2 2004",
        Some(DocType::OperativeReport),
        "dos",
        "2004-03-02",
    ),
    (
        "Exam Date: 02-MAR-2004 Report Date: 03/04/2004",
        Some(DocType::RadiologyReport),
        "dos",
        "2004-03-02",
    ),
    (
        "Date of Exam: 3.2.2004",
        Some(DocType::RadiologyReport),
        "dos",
        "2004-03-02",
    ),
    (
        "Study Date: 03/02/2004",
        Some(DocType::RadiologyReport),
        "dos",
        "2004-03-02",
    ),
    (
        "Arrival: 03/02/2004 14:35",
        Some(DocType::EmergencyReport),
        "dos",
        "2004-03-02",
    ),
    (
        "Arrival Date/Time: 03/02/2004 2:35 PM",
        Some(DocType::EmergencyReport),
        "dos",
        "2004-03-02",
    ),
    (
        "Collected: 03/02/2004 Received: 03/03/2004",
        Some(DocType::PathologyReport),
        "dos",
        "2004-03-02",
    ),
    (
        "Date of Procedure: 03/02/2004",
        Some(DocType::PathologyReport),
        "dos",
        "2004-03-02",
    ),
    (
        "Signature: ______________ Date: 03/02/2004",
        Some(DocType::ConsentForm),
        "dos",
        "2004-03-02",
    ),
    ("Transcription Date: 03/09/2004", None, "dos", "-"),
    ("Date Dictated: 03/09/2004", None, "dos", "-"),
    (
        "Report Date: 03/09/2004",
        Some(DocType::RadiologyReport),
        "dos",
        "2004-03-09",
    ),
    (
        "March 2, 2004\nDear Dr. Smith,",
        Some(DocType::Correspondence),
        "dos",
        "2004-03-02",
    ),
    (
        "Springfield Clinic\n2 March 2004\nRe: Jones, Karen",
        Some(DocType::Correspondence),
        "dos",
        "2004-03-02",
    ),
    ("Date of Service:\n03/02/2004", None, "dos", "2004-03-02"),
    ("Date of Service: 03/02/2031", None, "dos", "-"),
    (
        "The patient was seen on 06/14/07 for pain.",
        None,
        "dos",
        "-",
    ),
    ("Date of Service: O3/O2/2OO4", None, "dos", "2004-03-02"),
    ("Date 0f Service; 03/02/2004", None, "dos", "2004-03-02"),
    ("DOS: 03 /02/ 2004", None, "dos", "2004-03-02"),
    (
        "Admitted: 03/02/2004",
        Some(DocType::FaceSheet),
        "dos",
        "2004-03-02",
    ),
    (
        "Encounter Date: 03/02/2004 Admission Date: 03/01/2004",
        Some(DocType::FaceSheet),
        "dos",
        "2004-03-01",
    ),
    (
        "Visit Date Patient Name DOB\n03/02/2004 Jones, Karen 01/02/1960",
        Some(DocType::ProgressNote),
        "dos",
        "2004-03-02",
    ),
    (
        "Visit Date Patient Name DOB\n03/02/2004 Jones, Karen 01/02/1960",
        Some(DocType::ProgressNote),
        "dob",
        "1960-01-02",
    ),
    (
        "Visit Date Patient Name DOB\n03/02/2004 Jones, Karen 01/02/1960",
        Some(DocType::ProgressNote),
        "name",
        "JONES, KAREN",
    ),
    (
        "DOB: 01/02/2010 Date of Service: 03/02/2004",
        None,
        "dob",
        "-",
    ),
    (
        "Pt Name: Lee, Ann Chart #: 00998877",
        None,
        "mrn",
        "00998877",
    ),
    // Caption rows holding captions of fields that are not read (seed 6262).
    (
        "Encounter Date: Account:\n23-DEC-2023 109937886",
        Some(DocType::ProgressNote),
        "service",
        "2023-12-23",
    ),
    (
        "DOS: Account: Report Date:\n03-APR-1994 272410803 08-APR-1994",
        Some(DocType::RadiologyReport),
        "service",
        "1994-04-03",
    ),
    (
        "Encounter Date: Sex: Date Signed:\n3/13/1991 F 3/17/1991",
        Some(DocType::ProgressNote),
        "service",
        "1991-03-13",
    ),
    (
        "Exam Date: Account: .\n03-JUL-2019 340812739",
        Some(DocType::RadiologyReport),
        "service",
        "2019-07-03",
    ),
    (
        "PATIENT NAME: Medica} Record No.: DOB:\nJUANITA GARCIA-LOPEZ 04275474 17-SEP-1938",
        None,
        "name",
        "GARCIA-LOPEZ, JUANITA",
    ),
    (
        "PATIENT NAME: Medica} Record No.: DOB:\nJUANITA GARCIA-LOPEZ 04275474 17-SEP-1938",
        None,
        "dob",
        "1938-09-17",
    ),
    (
        "Account: Medical Record No.:\n109937886 70634526",
        None,
        "mrn",
        "70634526",
    ),
    ("Account: MRN: Sex:\n109937886 70634526", None, "mrn", "-"),
    ("DOB: MRN: Account:\n01/02/1950 109937886", None, "mrn", "-"),
    (
        "Name: Rosa Fitzgerald DOB: MRN:\n87861348 01/02/1950",
        None,
        "dob",
        "1950-01-02",
    ),
    (
        "Name: Rosa Fitzgerald DOB: MRN:\n87861348 01/02/1950",
        None,
        "mrn",
        "87861348",
    ),
    ("RE: Knee Pain", None, "name", "-"),
    (
        "RE: NOREEN J. O'MALLEY MR#: 78055215 Birth Date: JAN 15 1991",
        None,
        "name",
        "O'MALLEY, NOREEN",
    ),
    (
        "Vale Crossing Imaging Center\nRE: Ingrid Winslow\nMR No: 64029334",
        None,
        "name",
        "WINSLOW, INGRID",
    ),
    ("RE: Follow Up", None, "name", "-"),
    (
        "RE: Medical Record No.: D.O.B.:\nBeatrice Trujillo 30920938 5/12/1943",
        None,
        "name",
        "TRUJILLO, BEATRICE",
    ),
    (
        "Dr. Walter Ortega\nHarlow Imaging Center\nRE: Lindqvist, Beatrice",
        None,
        "name",
        "LINDQVIST, BEATRICE",
    ),
    ("RE: Follow Up Visit of your patient", None, "name", "-"),
    (
        "Patient: NATHANIEL S. GALLOWAY",
        None,
        "name",
        "GALLOWAY, NATHANIEL",
    ),
    (
        "-* Pt: Nathaniel PR Nguyen-Tran . Birth Date: APR 20 1932",
        None,
        "name",
        "NGUYEN-TRAN, NATHANIEL",
    ),
    ("Patient Naane: Lee, Ann", None, "name", "LEE, ANN"),
    // Wordings other facilities print (none in the dev corpus).
    ("Date Seen: 03/04/2019", None, "dos", "2019-03-04"),
    ("Visit Dt: 03/04/2019", None, "dos", "2019-03-04"),
    ("Svc Dt: 03/04/2019", None, "dos", "2019-03-04"),
    ("Date of Svc: 03/04/2019", None, "dos", "2019-03-04"),
    (
        "Service Date/Time: 03/04/2019 14:20",
        None,
        "dos",
        "2019-03-04",
    ),
    (
        "Date/Time of Service: 03/04/2019 14:20",
        None,
        "dos",
        "2019-03-04",
    ),
    (
        "Visit Date/Time: 03/04/2019 14:20",
        None,
        "dos",
        "2019-03-04",
    ),
    (
        "Encounter Date/Time: 03/04/2019 14:20",
        None,
        "dos",
        "2019-03-04",
    ),
    ("Date of Procedure: 03/04/2019", None, "dos", "2019-03-04"),
    ("Procedure Dt: 03/04/2019", None, "dos", "2019-03-04"),
    ("Date of Operation: 03/04/2019", None, "dos", "2019-03-04"),
    ("Operative Date: 03/04/2019", None, "dos", "2019-03-04"),
    ("Adm Date: 03/04/2019", None, "dos", "2019-03-04"),
    ("Admit Dt: 03/04/2019", None, "dos", "2019-03-04"),
    ("Date Admitted: 03/04/2019", None, "dos", "2019-03-04"),
    (
        "Date Discharged: 03/04/2019",
        Some(DocType::DischargeSummary),
        "dos",
        "2019-03-04",
    ),
    ("Date of Exam: 03/04/2019", None, "dos", "2019-03-04"),
    ("Exam Dt: 03/04/2019", None, "dos", "2019-03-04"),
    ("Study Date: 03/04/2019", None, "dos", "2019-03-04"),
    ("Date Collected: 03/04/2019", None, "dos", "2019-03-04"),
    (
        "Collection Date/Time: 03/04/2019 08:00",
        None,
        "dos",
        "2019-03-04",
    ),
    (
        "Arrival Date/Time: 03/04/2019 08:00",
        None,
        "dos",
        "2019-03-04",
    ),
    ("ED Arrival: 03/04/2019 08:00", None, "dos", "2019-03-04"),
    ("Date of Visit: 4 March 2019", None, "dos", "2019-03-04"),
    ("DOS: 2019.03.04", None, "dos", "2019-03-04"),
    ("Date of Service: Mar. 4, 2019", None, "dos", "2019-03-04"),
    (
        "Date of Service: March 4th, 2019",
        None,
        "dos",
        "2019-03-04",
    ),
    ("Date of Service: 04-Mar-19", None, "dos", "2019-03-04"),
    ("Date Of Service: 03/04/2019", None, "dos", "2019-03-04"),
    ("DATE OF SERVICE 03/04/2019", None, "dos", "2019-03-04"),
    ("Service Date 03/04/2019", None, "dos", "2019-03-04"),
    ("D.O.B.: 07/21/1960", None, "dob", "1960-07-21"),
    ("Birthdate: 07/21/1960", None, "dob", "1960-07-21"),
    ("Birth Dt: 07/21/1960", None, "dob", "1960-07-21"),
    ("DOB/Age: 07/21/1960 (58 y)", None, "dob", "1960-07-21"),
    ("DOB (Age): 07/21/1960 (58)", None, "dob", "1960-07-21"),
    (
        "Date of Birth/Age: 07/21/1960 / 58Y",
        None,
        "dob",
        "1960-07-21",
    ),
    ("DOB 07/21/1960", None, "dob", "1960-07-21"),
    ("Sex: F DOB: 21 Jul 1960", None, "dob", "1960-07-21"),
    ("Patient ID: 00412345", None, "mrn", "00412345"),
    ("MR No: 00412345", None, "mrn", "00412345"),
    ("MR Number: 00412345", None, "mrn", "00412345"),
    ("Medical Rec No: 00412345", None, "mrn", "00412345"),
    ("Med Rec No.: 00412345", None, "mrn", "00412345"),
    ("Chart #: 00412345", None, "mrn", "00412345"),
    ("MRN 00412345", None, "mrn", "00412345"),
    (
        "Patient Name (Last, First): DOE, JANE",
        None,
        "name",
        "DOE, JANE",
    ),
    ("Pt Name: DOE, JANE", None, "name", "DOE, JANE"),
    ("Name of Patient: DOE, JANE", None, "name", "DOE, JANE"),
    ("Patient: Jane Q. Doe", None, "name", "DOE, JANE"),
    ("Patient Name: Jane Doe", None, "name", "DOE, JANE"),
    ("PATIENT NAME: DOE, JANE M", None, "name", "DOE, JANE"),
    ("Patient: O'BRIEN, MARY", None, "name", "O'BRIEN, MARY"),
    (
        "Patient: DE LA CRUZ, MARIA",
        None,
        "name",
        "DE LA CRUZ, MARIA",
    ),
    ("Patient: VAN DYKE, PETER", None, "name", "VAN DYKE, PETER"),
    (
        "Patient Name: SMITH JR, JOHN",
        None,
        "name",
        "SMITH JR, JOHN",
    ),
    (
        "Name: DOE, JANE  DOB: 07/21/1960  MRN: 00412345",
        None,
        "name",
        "DOE, JANE",
    ),
    (
        "Name: DOE, JANE  DOB: 07/21/1960  MRN: 00412345",
        None,
        "mrn",
        "00412345",
    ),
    (
        "Name: DOE, JANE  DOB: 07/21/1960  MRN: 00412345",
        None,
        "dob",
        "1960-07-21",
    ),
    (
        "MR#: 73989903 Sve Date: 2013-06-16",
        None,
        "dos",
        "2013-06-16",
    ),
    ("Date of Sve: 13-AUG-2012", None, "dos", "2012-08-13"),
    (
        "DATE TIME OF SERVICE: 2010-11-12 Admit Date: 2010-11-11",
        None,
        "dos",
        "2010-11-12",
    ),
    (
        "DATE TIME OF SERVICE:\n2010-11-12\nH&P\nAdmit Date: 2010-11-11",
        None,
        "dos",
        "2010-11-12",
    ),
    (
        "MR No: 08180736 _Encounter Date: 09/19/08",
        None,
        "dos",
        "2008-09-19",
    ),
    ("__Patient Name: DOE, JANE___", None, "name", "DOE, JANE"),
    // Headings and subjects with a comma are no three-word names.
    (
        "PATIENT HEALTH HISTORY QUESTIONNAIRE, ADULT",
        None,
        "name",
        "-",
    ),
    ("RE: Lumbar Spine MRI, Results", None, "name", "-"),
    (
        "Patient: VAN DER BERG, ANNA",
        None,
        "name",
        "VAN DER BERG, ANNA",
    ),
    // A blank caption of a date that is not the service's keeps the dates in their columns.
    (
        "Follow-up Date:  Date of Service:  DOB:\n03/04/2019  01/02/1960",
        None,
        "dos",
        "2019-03-04",
    ),
    // A first letter lost at the page's edge.
    (
        "ate of Service: Sex: Age:\nJul. 13, 1999 F 19",
        None,
        "dos",
        "1999-07-13",
    ),
    (
        "rrival Date/Time: Sex: Age:\nAug. 30, 2025 07:25 F 17",
        None,
        "dos",
        "2025-08-30",
    ),
    ("ate of Birth: 05/17/1980", None, "dob", "1980-05-17"),
    // An appointment's date may be the next one: only an unqualified one is the visit's.
    (
        "MR#: 00681772 Appointment Date: 7/12/2025",
        Some(DocType::ProgressNote),
        "dos",
        "2025-07-12",
    ),
    (
        "PROGRESS NOTE\nAppt Date: 7/12/2025",
        None,
        "dos",
        "2025-07-12",
    ),
    (
        "Next Appointment Date: 8/12/2025",
        Some(DocType::ProgressNote),
        "dos",
        "-",
    ),
    (
        "Encounter Date: 03/04/2019 F/U Appt Date: 05/06/2019",
        Some(DocType::ProgressNote),
        "dos",
        "2019-03-04",
    ),
    // Dates that are never the encounter's, beside one that is.
    (
        "Next Appointment Date: 05/06/2019 Visit Date: 03/04/2019",
        None,
        "dos",
        "2019-03-04",
    ),
    (
        "Date of Injury: 02/27/2019 Date of Service: 03/04/2019",
        None,
        "dos",
        "2019-03-04",
    ),
    (
        "Follow-up Date: 05/06/2019",
        Some(DocType::ProgressNote),
        "dos",
        "-",
    ),
    (
        "Effective Date: 01/01/2019",
        Some(DocType::FaceSheet),
        "dos",
        "-",
    ),
];

/// A field of an extraction as text (`-` when not read): `name`, `mrn`, `dob`, else the
/// date of service.
fn field_of(e: Extracted, field: &str) -> String {
    match field {
        "name" => e.name.map(|f| f.value),
        "mrn" => e.mrn.map(|f| f.value),
        "dob" => e.dob.map(|f| f.value.to_string()),
        _ => e.service_date.map(|f| f.value.to_string()),
    }
    .unwrap_or_else(|| "-".into())
}

#[test]
fn real_looking_lines() {
    assert!(LINES.len() >= 60);
    let mut failures = Vec::new();
    for (text, doc_type, field, want) in LINES {
        let got = field_of(extract(&[text], *doc_type, today()), field);
        if got != *want {
            failures.push(format!("{field} of {text:?}: got {got}, want {want}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn same_name_is_the_same_words_or_a_slipped_last_name() {
    assert!(same_name("KATHERINE, SMITH", "SMITH, KATHERINE"));
    assert!(same_name("BE AKE, KRISTINA", "BLAKE, KRISTINA"));
    assert!(!same_name("VALDIVIA, VICTOR", "HARGROVE, LORRAINE"));
    assert!(!same_name("SMITH, ANNA", "SMITH, JOHN"));
}

#[test]
fn a_contact_or_a_letterhead_is_not_the_patient() {
    let e = extract(
        &["EMERGENCY CONTACT\nNAME\nHARGROVE, LORRAINE"],
        None,
        today(),
    );
    assert!(e.name.is_none(), "{:?}", e.name);
    let e = extract(&["Pt:\nSt. Adaeze Women's Health Center"], None, today());
    assert!(e.name.is_none(), "{:?}", e.name);
    let e = extract(
        &["Pt: Victor Valdivia\nName: HARGROVE, LORRAINE"],
        None,
        today(),
    );
    assert_eq!(
        e.name.unwrap().value,
        "VALDIVIA, VICTOR",
        "the first reading stands"
    );
}

mod generated {
    use super::*;
    use chrono::Datelike;
    use proptest::prelude::*;

    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];

    /// A date printed in one of the forms charts use.
    fn print(d: NaiveDate, form: usize) -> String {
        use chrono::Datelike;
        let (y, m, day) = (d.year(), d.month(), d.day());
        let mon = MONTHS[m as usize - 1];
        match form {
            0 => format!("{m:02}/{day:02}/{y}"),
            1 => format!("{m}/{day}/{y}"),
            2 => format!("{m:02}-{day:02}-{y}"),
            3 => format!("{m:02}.{day:02}.{y}"),
            4 => format!("{y}-{m:02}-{day:02}"),
            5 => format!("{day:02}-{}-{y}", mon[..3].to_uppercase()),
            6 => format!("{mon} {day}, {y}"),
            7 => format!("{day} {mon} {y}"),
            8 => format!("{} {day} {y}", mon[..3].to_uppercase()),
            9 => format!("{}. {day}, {y}", &mon[..3]),
            _ => format!("{m:02}/{day:02}/{:02}", y % 100),
        }
    }

    /// OCR slips in the digits: 0 read as O, 1 as l, 5 as S; spaces around a slash.
    fn garble(s: &str, seed: u64) -> String {
        let mut out = String::new();
        let mut slips = 0;
        for (i, c) in s.chars().enumerate() {
            // At most two slips a date (more and it is not a date any reader trusts).
            let roll = if slips < 2 { (seed >> (i % 60)) & 7 } else { 7 };
            slips += usize::from(matches!((c, roll), ('0', 0) | ('1', 1) | ('5', 2)));
            out.push_str(&match (c, roll) {
                ('0', 0) => "O".to_string(),
                ('1', 1) => "l".to_string(),
                ('5', 2) => "S".to_string(),
                ('/', 3) => " /".to_string(),
                _ => c.to_string(),
            });
        }
        out
    }

    const SERVICE_LABELS: [&str; 8] = [
        "Date of Service:",
        "Service Date:",
        "DOS:",
        "DATE OF SERVICE",
        "Date of Service;",
        "Svc Dt:",
        "Date/Time of Service:",
        "SERVICE DATE/TIME:",
    ];
    const BIRTH_LABELS: [&str; 8] = [
        "DOB:",
        "Date of Birth:",
        "Birth Date:",
        "D.O.B.:",
        "Born:",
        "Birthdate:",
        "DOB/Age:",
        "Birth Dt:",
    ];
    const BY_TYPE: [(&str, DocType); 10] = [
        ("Discharge Date:", DocType::DischargeSummary),
        ("Date of Surgery:", DocType::OperativeReport),
        ("Exam Date:", DocType::RadiologyReport),
        ("Arrival Date:", DocType::EmergencyReport),
        ("Visit Date:", DocType::ProgressNote),
        ("Admission Date:", DocType::HistoryAndPhysical),
        ("Operative Date:", DocType::OperativeReport),
        ("Study Dt:", DocType::RadiologyReport),
        ("Date Seen:", DocType::ProgressNote),
        ("Admit Date/Time:", DocType::FaceSheet),
    ];

    fn day(days: i64) -> NaiveDate {
        NaiveDate::from_ymd_opt(1930, 1, 1).unwrap() + chrono::Duration::days(days)
    }

    proptest! {
        #[test]
        fn labelled_dates_in_any_form_are_read(
            birth in 0i64..25_000,
            gap in 1i64..20_000,
            service_form in 0usize..11,
            birth_form in 0usize..10,
            labels in (0usize..8, 0usize..8, 0usize..10),
            generic in any::<bool>(),
            next_line in any::<bool>(),
            noise in any::<u64>(),
        ) {
            let dob = day(birth);
            let service = (dob + chrono::Duration::days(gap)).min(today());
            prop_assume!(service > dob);
            // Two-digit years only where the century is not in doubt.
            prop_assume!(service_form != 10 || service.year() >= 1950);
            let (type_label, doc_type) = BY_TYPE[labels.2];
            let label = if generic { SERVICE_LABELS[labels.0] } else { type_label };
            let sep = if next_line { "\n" } else { " " };
            let text = format!(
                "Riverside Clinic\nName: DOE, JANE {}{sep}{}\nMRN: 00412345\nReport Date: {}\n{}{sep}{}\nseen 01/02/1990.",
                BIRTH_LABELS[labels.1],
                garble(&print(dob, birth_form), noise),
                print(today(), 0),
                label,
                garble(&print(service, service_form), noise.rotate_left(17)),
            );
            let e = extract(&[&text], Some(doc_type), today());
            prop_assert_eq!(e.service_date.map(|f| f.value), Some(service), "{}", text);
            prop_assert_eq!(e.dob.map(|f| f.value), Some(dob), "{}", text);
            prop_assert_eq!(e.name.map(|f| f.value), Some("DOE, JANE".to_string()));
        }
    }
}

#[test]
fn capitals_read_as_look_alikes_in_a_name() {
    let e = extract(
        &["October 10, 2008\nName: IMAN! G. IVERSON MR#: 70652640 Birth Date: MAR 23 1944"],
        None,
        today(),
    );
    assert_eq!(e.name.unwrap().value, "IVERSON, IMANI");
    assert_eq!(e.mrn.unwrap().value, "70652640");
    let e = extract(&["Patient: |VERSON, R0SA MRN: 70652640"], None, today());
    assert_eq!(e.name.unwrap().value, "IVERSON, ROSA");
    // Mixed case and numbers are left alone.
    assert_eq!(
        capital_look_alikes("Room 101 B1 Jane1"),
        "Room 101 B1 Jane1"
    );
}

#[test]
fn names_in_mixed_case_and_broken_hyphens() {
    let e = extract(
        &["St. Colleen Health System\nPatient: Nancy Castellano Birth Date: January 9, 1989\nMR#: 30391476 DOS: March 12, 1990"],
        None,
        today(),
    );
    assert_eq!(e.name.unwrap().value, "CASTELLANO, NANCY");
    let e = extract(
        &["RADIOLOGY REPORT\nName: PRIYA SMITH- HARTLEY | MRN: 51431203\nDOB: 2013-12-28"],
        None,
        today(),
    );
    assert_eq!(e.name.unwrap().value, "SMITH-HARTLEY, PRIYA");
    let e = extract(
        &["Patient: SMITH- HARTLEY, PRIYA MRN: 51431203"],
        None,
        today(),
    );
    assert_eq!(e.name.unwrap().value, "SMITH-HARTLEY, PRIYA");
}

#[test]
fn a_hyphen_never_joins_a_label_to_a_name() {
    let e = extract(&["Patient: DOE, JANE- MRN: 00412345"], None, today());
    assert_eq!(e.name.unwrap().value, "DOE, JANE");
    assert_eq!(e.mrn.unwrap().value, "00412345");
    let e = extract(&["Name: JANE DOE- DOB: 01/02/1960"], None, today());
    assert_eq!(e.name.unwrap().value, "DOE, JANE");
    // A table rule after a name is no letter.
    assert_eq!(capital_look_alikes("JANE| DOE"), "JANE| DOE");
}

#[test]
fn a_speck_read_as_a_colon_between_captions_leaves_the_row_a_caption_row() {
    // Far enough down the page that no letter's date line could hold the date.
    let pad = "Clinic\nHealth Information Management\n12 Main Street, Town, IA 41442\n\
               Phone (360) 903-8780\nFACE SHEET\nPatient Name: Medical Record Number:\n\
               Imani Whitacre 59798059\nline\n";
    for row in [
        "Admission Date: : Sex:\n13-MAR-2004",
        "Admission Date: Sex: :\n13-MAR-2004 F",
        "Sex: : Admission Date:\nF 13-MAR-2004",
    ] {
        let text = format!("{pad}{row}");
        let e = extract(&[text.as_str()], Some(DocType::FaceSheet), today());
        assert_eq!(
            e.service_date.map(|f| f.value.to_string()).as_deref(),
            Some("2004-03-13"),
            "{row}"
        );
    }
}

#[test]
fn specks_and_rules_read_around_captions_leave_a_caption_row() {
    // A form's boxes read as quotes, bars and braces around the captions and values.
    let t = "St. Ernesto Imaging Center\n9337 Summit Road, Oakhurst, NC 46085 |\n\
             Tel: (217) 693-1999\nPROGRESS NOTE\nPatient Name: Medical Record No.: Born:\n\
             i Ernesto Vance . 89977608 02-01-1936\n\u{2018}Service Date: Attending: : Sex:\n\
             | 03-09-2013 Noreen Fairbanks, MD _|M\nEncounter Date: 03-08-2013\nSUBJECTIVE";
    let e = extract(&[t], Some(DocType::ProgressNote), today());
    assert_eq!(e.service_date.unwrap().value.to_string(), "2013-03-09");
    let t = "St. Ernesto Imaging Center\n\u{201d} Patient Name: | \u{201d} Medical Record No. | =} Born:\n\
             : Ernesto Vance : 89977608 ' 02-01-1936\n\u{201c}DOS: > Attending: : Sex:\n\
             03-06-2012 : Luis Galloway, DO iM";
    let e = extract(&[t], Some(DocType::PathologyReport), today());
    assert_eq!(e.name.unwrap().value, "VANCE, ERNESTO");
    assert_eq!(e.dob.unwrap().value.to_string(), "1936-02-01");
    assert_eq!(e.service_date.unwrap().value.to_string(), "2012-03-06");
}

#[test]
fn a_one_read_as_a_bracket_or_a_bang_in_a_date() {
    let e = extract(
        &["Patient: COLLEEN A. MCALLISTER MR#: 74699846 DOB: 09-NOV- 1957\nVisit Date: 2]-AUG-1998 Account: 936587107"],
        Some(DocType::ProgressNote),
        today(),
    );
    assert_eq!(e.service_date.unwrap().value.to_string(), "1998-08-21");
    let e = extract(&["DOS: 0!/15/2004"], None, today());
    assert_eq!(e.service_date.unwrap().value.to_string(), "2004-01-15");
    // Not a digit on their own or twice over.
    for line in ["DOB: !1/5/1960", "DOS: 3/4/20!!"] {
        let e = extract(&[line], None, today());
        assert!(e.dob.is_none() && e.service_date.is_none(), "{line}");
    }
    // A quote read beside `OF`: the caption is still the date of birth, not a bare date.
    let e = extract(
        &["PATIENT NAME: MEDICAL RECORD NUMBER: DATE OF\u{2019} BIRTH:\nIbarra, Renata 57084899 2003-07-03\nDATE: LOCATION: SEX:\n2008-12-29 Clinic B F"],
        Some(DocType::ConsentForm),
        today(),
    );
    assert_eq!(e.dob.unwrap().value.to_string(), "2003-07-03");
}

#[test]
fn a_caption_waits_over_a_row_of_captions() {
    let t = "ELK HOLLOW WOMEN'S HEALTH CENTER\n3649 Willow Road, Elk Hollow, NC 44846\n\
             REGISTRATION FACE SHEET\nPT:\n: MR NO: DOB:\n\
             Dwayne Lindqvist 59976104 September 11, 1990\nENCOUNTER DATE:\nSeptember 6, 2013";
    let e = extract(&[t], Some(DocType::FaceSheet), today());
    assert_eq!(e.name.unwrap().value, "LINDQVIST, DWAYNE");
    assert_eq!(e.mrn.unwrap().value, "59976104");
    assert_eq!(e.dob.unwrap().value.to_string(), "1990-09-11");
    assert_eq!(e.service_date.unwrap().value.to_string(), "2013-09-06");
}

#[test]
fn captions_carried_over_a_caption_row_need_a_value_each() {
    // A blank patient block over a witness block: the witness's name and date are no
    // patient's name and birth date.
    let t = "Consent\nline\nline\nline\nline\nline\nline\nline\n\
             PATIENT NAME: DOB:\nWITNESS: DATE:\nJohn Smith 03/04/2010";
    let e = extract(&[t], Some(DocType::ConsentForm), today());
    assert!(e.name.is_none(), "{:?}", e.name.map(|f| f.value));
    assert!(e.dob.is_none(), "{:?}", e.dob.map(|f| f.value));
}

/// Every date form charts print, after a date-of-service and a birth-date label.
#[test]
fn date_forms_after_a_label() {
    let cases = [
        ("3/4/2019", "2019-03-04"),
        ("03-04-2019", "2019-03-04"),
        ("03.04.2019", "2019-03-04"),
        ("2019/03/04", "2019-03-04"),
        ("Mar 4, 2019", "2019-03-04"),
        ("March 4, 2019", "2019-03-04"),
        ("4 Mar 2019", "2019-03-04"),
        ("04-MAR-2019", "2019-03-04"),
        ("04MAR2019", "2019-03-04"),
        ("04-Mar-19", "2019-03-04"),
        ("Mar-04-2019", "2019-03-04"),
        ("MAR 04 2019", "2019-03-04"),
        ("03/04/19", "2019-03-04"),
        ("Monday, March 4, 2019", "2019-03-04"),
        ("4th March 2019", "2019-03-04"),
        ("March 4th, 2019", "2019-03-04"),
        ("Mar. 4, 2019", "2019-03-04"),
        ("Sept 4, 2019", "2019-09-04"),
        ("Sept. 4, 2019", "2019-09-04"),
        ("03/04/2019 14:20", "2019-03-04"),
        ("03/04/2019@1420", "2019-03-04"),
        ("03/04/2019 2:20 PM", "2019-03-04"),
        ("3 / 4 / 2019", "2019-03-04"),
        ("03/04/ 2019", "2019-03-04"),
        ("O3/O4/2OI9", "2019-03-04"),
        ("03-04-2019.", "2019-03-04"),
        ("(03/04/2019)", "2019-03-04"),
        ("March 04 2019", "2019-03-04"),
        ("4-March-2019", "2019-03-04"),
        ("2019-Mar-04", "2019-03-04"),
        ("Tues., March 4, 2019", "2019-03-04"),
        ("Month 03/04/2019", "-"),
        ("Ref 03/04/2019", "-"),
    ];
    let mut failures = Vec::new();
    for (d, want) in cases {
        for label in ["Date of Service:", "DOB:"] {
            let text = format!("{label} {d}");
            let field = if label == "DOB:" { "dob" } else { "dos" };
            let got = field_of(extract(&[&text], None, today()), field);
            if got != want {
                failures.push(format!("{text:?}: got {got}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn a_period_read_for_the_comma_is_no_certain_name() {
    let e = extract(&["Name: Franklin. Galloway"], None, today());
    assert!(!e.name_certain);
    let e = extract(&["Name: GALLOWAY, FRANKLIN"], None, today());
    assert!(e.name_certain);
}
