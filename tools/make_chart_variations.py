#!/usr/bin/env python3
"""Seeded generator of synthetic scanned chart batches with ground truth.

Makes DIR/charts/ (one input per chart: multi-page PDF or TIFF, or a folder of
page images), DIR/manifest.jsonl in the dev corpus's manifest format (see
/work/shared/corpus/README.md) and DIR/README.md, so `chartvault eval DIR` can
score the archive on layouts it was never tuned on: many facility styles
(fonts, margins, letterheads, header layouts, label wordings, name forms, date
formats, footers), ten document types with their own section templates,
near-blank content pages (signature, stamp, name-only, addendum pages), content
pages with non-separator barcodes (account numbers, wristband labels), blank
duplex backs, separator sheets, rotations, skew and scan defects, six formats.
Every name, MRN, account number, address, facility and date is invented.

Install:  pip install pillow numpy python-barcode img2pdf
          apt-get install -y fonts-liberation2 fonts-freefont-ttf fonts-urw-base35 \
              fonts-crosextra-carlito fonts-crosextra-caladea fonts-noto-mono
          (fonts are optional; whatever is present under /usr/share/fonts is used,
          DejaVu is the fallback)
Run:      python3 tools/make_chart_variations.py --seed 101 --charts 6 --out /tmp/gen101
          [--min-pages 300]  keep adding charts until at least that many pages
Output is deterministic for a given seed (and the same set of installed fonts).

Date-of-service rule followed by the ground truth: the date printed with a
generic label (Date of Service:, Service Date:, DOS:) if there is one; else the
type's own label (see TYPE_LABELS); letters: the date line at the top.
"""
import argparse, datetime as dt, io, json, math, os, random
from collections import Counter
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageOps
import barcode as pybarcode
import img2pdf

GEN = "make_chart_variations.py"
MONO = []  # path of a monospaced regular font, filled by main()
FORMATS = ["pdf_jpeg", "pdf_g4", "tiff_g4", "tiff_lzw", "png_dir", "jpeg_dir"]
DOC_TYPES = ["history_and_physical", "progress_note", "discharge_summary", "operative_report",
             "radiology_report", "pathology_report", "emergency_report", "correspondence",
             "face_sheet", "consent_form"]
GENERIC_LABELS = ["Date of Service:", "Service Date:", "DOS:", "Svc Date:", "Date/Time of Service:"]
TYPE_LABELS = {
    "discharge_summary": ["Discharge Date:"],
    "history_and_physical": ["Admission Date:", "Date of Admission:", "Admit Date:"],
    "operative_report": ["Date of Surgery:", "Surgery Date:", "Procedure Date:", "Date of Procedure:",
                         "Operative Date:", "Date of Operation:"],
    "radiology_report": ["Exam Date:", "Date of Exam:", "Study Date:"],
    "emergency_report": ["Arrival:", "Arrival Date:", "Visit Date:", "Arrival Date/Time:"],
    "progress_note": ["Visit Date:", "Encounter Date:", "Date Seen:", "Appointment Date:", "Visit Dt:"],
    "pathology_report": ["Date of Procedure:", "Procedure Date:"],
    "consent_form": ["Procedure Date:", "Date:"],
    "face_sheet": ["Admission Date:", "Encounter Date:", "Admit Date:"],
    "correspondence": [],
}
# distractor labels per type (never one of that type's rule labels nor a generic one)
DISTRACTORS = {
    "radiology_report": ["Report Date:", "Date Signed:", "Ordered:"],
    "pathology_report": ["Date Received:", "Date Reported:"],
    "consent_form": ["Printed:"],
    "progress_note": ["Next Appointment Date:", "Report Date:", "Date Signed:"],
    "emergency_report": ["Date of Injury:", "Report Date:", "Printed:"],
}
DEFAULT_DISTRACTORS = ["Report Date:", "Date Signed:", "Printed:"]

# ----------------------------------------------------------------------------- fonts
FAMILIES = {f.split("=")[0]: tuple(f.split("=")[1].split(",")) for f in (  # family=regular,bold file names
    "DejaVu Sans=DejaVuSans.ttf,DejaVuSans-Bold.ttf|DejaVu Serif=DejaVuSerif.ttf,DejaVuSerif-Bold.ttf|"
    "DejaVu Sans Mono=DejaVuSansMono.ttf,DejaVuSansMono-Bold.ttf|"
    "Liberation Sans=LiberationSans-Regular.ttf,LiberationSans-Bold.ttf|"
    "Liberation Serif=LiberationSerif-Regular.ttf,LiberationSerif-Bold.ttf|"
    "Liberation Mono=LiberationMono-Regular.ttf,LiberationMono-Bold.ttf|FreeSans=FreeSans.ttf,FreeSansBold.ttf|"
    "FreeSerif=FreeSerif.ttf,FreeSerifBold.ttf|FreeMono=FreeMono.ttf,FreeMonoBold.ttf|"
    "Nimbus Sans=NimbusSans-Regular.otf,NimbusSans-Bold.otf|"
    "Nimbus Sans Narrow=NimbusSansNarrow-Regular.otf,NimbusSansNarrow-Bold.otf|"
    "Nimbus Roman=NimbusRoman-Regular.otf,NimbusRoman-Bold.otf|"
    "Nimbus Mono=NimbusMonoPS-Regular.otf,NimbusMonoPS-Bold.otf|"
    "P052=P052-Roman.otf,P052-Bold.otf|C059=C059-Roman.otf,C059-Bold.otf|"
    "URW Bookman=URWBookman-Light.otf,URWBookman-Demi.otf|URW Gothic=URWGothic-Book.otf,URWGothic-Demi.otf|"
    "Carlito=Carlito-Regular.ttf,Carlito-Bold.ttf|Caladea=Caladea-Regular.ttf,Caladea-Bold.ttf|"
    "Noto Sans Mono=NotoSansMono-Regular.ttf,NotoSansMono-Bold.ttf").split("|")}

def find_fonts():
    """Font families present on this machine: {family: (regular_path, bold_path)}."""
    found = {}
    for root in ("/usr/share/fonts", "/usr/local/share/fonts"):
        for dirpath, _, files in os.walk(root):
            for f in files:
                found.setdefault(f, os.path.join(dirpath, f))
    fams = {fam: (found[r], found.get(b, found[r])) for fam, (r, b) in FAMILIES.items() if r in found}
    if not fams:
        raise SystemExit("no usable TrueType/OpenType fonts found (install fonts-dejavu-core)")
    return dict(sorted(fams.items()))


@lru_cache(maxsize=512)
def font(path, px):
    return ImageFont.truetype(path, max(6, int(px)))

# ----------------------------------------------------------------------------- invented data
FIRST_M = ("James Robert Michael David Thomas Daniel Marcus Leonard Victor Howard Dwayne Ernesto Kenji Rafael "
           "Tobias Elliot Walter Curtis Abdul Nathaniel Gordon Ivan Luis Omar Franklin Desmond Hugo Calvin").split()
FIRST_F = ("Mary Linda Patricia Susan Karen Nancy Rosa Yolanda Mei Priya Beatrice Colleen Dolores Imani Greta "
           "Harriet Juanita Lorraine Marisol Noreen Opal Renata Sylvia Tamsin Ursula Vivian Wanda Adaeze "
           "Ingrid").split()
LASTS = ("Abernathy Blackwood Castellano Delacroix Engstrom Fairbanks Galloway Hollister Ibarra Jablonski Kowalczyk "
         "Lindqvist Marchetti Nakamura Okonkwo Pemberton Quintero Rasmussen Satterfield Thibodeaux Underhill Valdivia "
         "Whitacre Yablonsky Zielinski Brennan Carrow Dunmore Eastman Fitzgerald Greer Hargrove Iverson Kessler "
         "Lockhart Mancini Norwood Ortega Pruitt Redmond Sandoval Trujillo Vance Winslow O'Brien O'Malley D'Angelo "
         "Garcia-Lopez Smith-Hartley Nguyen-Tran McAllister MacKenzie").split()
TOWNS = ("Alder Falls|Briar Glen|Cedar Ridge|Dunmore Bay|Elk Hollow|Fenwick|Granite Point|Harlow|Ironwood|"
         "Juniper Springs|Kestrel Lake|Larkmoor|Millbrook|North Haven|Oakhurst|Pine Bluff|Quarry Hill|Redfield|"
         "Silver Creek|Thornbury|Upland|Vale Crossing|Westbrook|Yarrow").split("|")
STREETS = "Maple Oak Elm Harbor Summit Lakeview Meadow Ridge Orchard Willow Chestnut Pioneer Canal Mill".split()
ST_SUFFIX = "Street Avenue Road Boulevard Drive Lane Parkway Way Court".split()
STATES = "OH PA NY IL WI MN IA MO KY TN NC VA GA AL MI IN OR WA CO AZ".split()
FAC_KINDS = ["Community Hospital", "Medical Center", "Regional Medical Center", "Family Practice",
             "Surgical Associates", "Imaging Center", "Pathology Laboratory", "Health System",
             "Memorial Hospital", "Internal Medicine Clinic", "Orthopedic Group", "Women's Health Center"]
DEPTS = ["Health Information Management", "Medical Records", "Department of Radiology",
         "Department of Surgery", "Emergency Services", "Patient Registration", "Clinical Laboratory"]
SPECIALTIES = ["cardiology", "gastroenterology", "orthopedics", "neurology", "pulmonology",
               "general surgery", "nephrology", "endocrinology", "urology", "rheumatology"]
DRUGS = [("lisinopril", "10 mg", "daily"), ("metformin", "500 mg", "twice daily"),
         ("atorvastatin", "40 mg", "at bedtime"), ("amlodipine", "5 mg", "daily"),
         ("metoprolol tartrate", "25 mg", "twice daily"), ("levothyroxine", "75 mcg", "daily"),
         ("omeprazole", "20 mg", "daily"), ("furosemide", "40 mg", "daily"), ("sertraline", "50 mg", "daily"),
         ("warfarin", "5 mg", "daily"), ("gabapentin", "300 mg", "three times daily"),
         ("albuterol inhaler", "2 puffs", "every 4 hours as needed"), ("aspirin", "81 mg", "daily"),
         ("acetaminophen", "650 mg", "every 6 hours as needed"), ("cephalexin", "500 mg", "four times daily")]
DXS = ["community-acquired pneumonia", "cellulitis of the lower extremity", "acute cholecystitis",
       "congestive heart failure exacerbation", "type 2 diabetes mellitus", "essential hypertension",
       "chronic obstructive pulmonary disease", "urinary tract infection", "atrial fibrillation",
       "osteoarthritis of the knee", "acute kidney injury", "gastroesophageal reflux disease",
       "migraine without aura", "iron deficiency anemia", "lumbar radiculopathy"]
COMPLAINTS = ["chest pain", "shortness of breath", "abdominal pain", "fever and productive cough",
              "knee pain", "dizziness", "headache", "nausea and vomiting", "low back pain", "palpitations",
              "leg swelling", "generalized weakness", "a rash", "urinary frequency", "a fall at home"]
PROCS = [("laparoscopic cholecystectomy", "symptomatic cholelithiasis", "gallbladder"),
         ("right inguinal hernia repair with mesh", "right inguinal hernia", "hernia sac"),
         ("total knee arthroplasty", "severe osteoarthritis of the knee", "bone and cartilage"),
         ("excision of soft tissue mass of the back", "soft tissue mass", "soft tissue mass"),
         ("colonoscopy with polypectomy", "colon polyp", "colon polyp"),
         ("open reduction and internal fixation of the ankle", "bimalleolar ankle fracture", "none"),
         ("laparoscopic appendectomy", "acute appendicitis", "appendix"),
         ("excisional biopsy of the breast", "breast mass", "breast tissue")]
EXAMS = ["CT of the abdomen and pelvis with contrast", "Chest, two views", "CT of the head without contrast",
         "MRI of the lumbar spine without contrast", "Ultrasound of the right upper quadrant",
         "X-ray of the knee, three views", "CT angiogram of the chest", "Mammogram, bilateral screening"]
INSURERS = ["Blue Ridge Mutual", "Lakeshore Health Plan", "Medicare Part A", "Medicaid", "Crestline Insurance",
            "Self Pay", "Northfield Employers Trust"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]

# Sentence banks ("|" separated).  {He}/{he}/{his}/{him}/{pt}/{Pt} are pronouns / patient references.
BANKS = {
    "cc": "{Cc} for the past {days} days.|{Cc}.|Follow-up of {dx}.|{Cc}, worse since yesterday.",
    "hpi": "{Pt} is a {age}-year-old {sexw} who presents with {cc} of {days} days' duration.|{He} reports the symptoms "
           "began gradually and have worsened over the past {days} days.|{He} denies fever, chills, or night sweats.|"
           "The pain is described as dull and aching, rated {n}/10, and is worse with activity.|{He} was last seen in "
           "this office on {pdate} for a routine visit.|{He} has tried over-the-counter {drug} without significant "
           "relief.|There has been no recent travel and no sick contacts.|{He} states that {he} has been taking {his} "
           "medications as prescribed.|Family members report that {he} has been more tired than usual.|{He} was "
           "evaluated at an outside facility on {pdate} and was advised to follow up.|Associated symptoms include mild "
           "nausea and a decreased appetite.|{He} denies recent trauma, weight loss, or change in bowel habits.|"
           "Symptoms are partially relieved by rest and made worse by exertion.|{He} has had {n} similar episodes in "
           "the past year, the most recent on {pdate}.|{He} has a known history of {dx2}.",
    "pmh": "History of {dx2}.|{Dx2}, well controlled on medication.|Hyperlipidemia.|Hypothyroidism since {year}.|"
           "Remote history of kidney stones.|Depression, stable.|No known history of coronary artery disease.",
    "psh": "Appendectomy in {year}.|Cesarean section.|Tonsillectomy as a child.|Cholecystectomy in {year}.|"
           "Left carpal tunnel release.|No prior surgeries.",
    "allergy": "No known drug allergies.|Penicillin, which causes hives.|Sulfa drugs (rash).|Codeine causes "
               "nausea.|Latex.|Shellfish and iodinated contrast.",
    "social": "{He} is married and lives with {his} spouse.|{He} quit smoking {n} years ago.|{He} drinks alcohol "
              "socially and denies illicit drug use.|{He} works as a {job}.|{He} lives alone in a single-story "
              "home.|{He} has never smoked.|{He} walks about {n} miles a week.",
    "family": "Mother with hypertension and diabetes.|Father died of a heart attack at age {n3}.|No family history "
              "of colon cancer.|A sister has breast cancer.|Noncontributory.",
    "ros": "Constitutional: No fever or weight loss.|Cardiovascular: Negative for chest pain at rest.|Respiratory: "
           "Mild dyspnea on exertion.|Gastrointestinal: No melena or hematochezia.|Genitourinary: No dysuria.|"
           "Neurologic: No focal weakness or numbness.|Skin: No rashes.|All other systems were reviewed and are "
           "negative.",
    "exam": "Vital signs: Blood pressure {bp}, pulse {hr}, respirations {rr}, temperature {temp} F, oxygen "
            "saturation {spo2}% on room air.|General: Alert, oriented, and in no acute distress.|HEENT: "
            "Normocephalic and atraumatic. Pupils are equal and reactive to light.|Neck: Supple without "
            "lymphadenopathy.|Lungs: Clear to auscultation bilaterally without wheezes or rales.|Heart: Regular rate "
            "and rhythm without murmurs, rubs, or gallops.|Abdomen: Soft, nontender, and nondistended with normal "
            "bowel sounds.|Extremities: No clubbing, cyanosis, or edema.|Neurologic: Cranial nerves II through XII "
            "are grossly intact. Strength is 5/5 throughout.|Skin: Warm and dry without lesions.|Musculoskeletal: "
            "Tenderness over the {side} knee with mildly reduced range of motion.",
    "labs": "White blood cell count {wbc}, hemoglobin {hgb}, platelets {plt}.|Sodium {na}, potassium {k}, "
            "creatinine {cr}, glucose {glu}.|Urinalysis was unremarkable.|Troponin was negative times two.|"
            "Chest x-ray showed no acute process.|Electrocardiogram showed sinus rhythm at {hr} beats per minute.",
    "plan": "Continue current medications.|Start {med}.|Obtain a comprehensive metabolic panel and a lipid panel.|"
            "Referral to {spec} for further evaluation.|Education was provided regarding diet and exercise.|Return "
            "precautions were reviewed and {he} verbalized understanding.|Follow up in {n} weeks or sooner if "
            "symptoms worsen.|Admit for observation and serial cardiac enzymes.|Physical therapy evaluation.|"
            "Deep vein thrombosis prophylaxis with subcutaneous heparin.",
    "course": "{Pt} was admitted to the medical service and started on intravenous antibiotics.|{His} symptoms "
              "improved steadily over the first {n} hospital days.|Blood cultures were obtained and remained negative "
              "at the time of discharge.|On hospital day {n}, {he} was changed to oral antibiotics.|Physical therapy "
              "evaluated {him} and recommended discharge home with a walker.|Pain was controlled with oral "
              "analgesics.|{His} creatinine peaked at {cr} and returned to baseline with hydration.|There were no "
              "complications during the hospital stay.|{He} remained afebrile for more than 48 hours before "
              "discharge.|{His} diet was advanced as tolerated.|Case management arranged home health services.|"
              "{Spec} was consulted and agreed with the plan of care.|Serial hemoglobin values remained stable.|"
              "Home medications were resumed once {he} was tolerating a diet.",
    "followup": "Follow up with {doc} in {n} weeks.|Call the office for fever over 101 F, increasing pain, or redness "
                "at the incision.|Resume a regular diet as tolerated.|No heavy lifting for {n} weeks.|Return for a "
                "wound check on {fdate}.",
    "indication": "{Pt} is a {age}-year-old {sexw} with {dx} who has failed conservative management.|The risks, "
                  "benefits, and alternatives were discussed and {he} wished to proceed.|Imaging on {pdate} "
                  "confirmed the diagnosis.",
    "opdesc": "After informed consent was obtained, {pt} was brought to the operating room and placed supine.|"
              "Anesthesia was induced without difficulty.|The operative field was prepped and draped in the usual "
              "sterile fashion.|A time-out was performed confirming the correct patient, procedure, and site.|A "
              "{n}-cm incision was made and carried down through the subcutaneous tissue with electrocautery.|"
              "Hemostasis was achieved with electrocautery and suture ligatures.|The wound was irrigated with warm "
              "saline.|The fascia was closed with a running absorbable suture.|The skin was closed with staples and "
              "a sterile dressing was applied.|All sponge, needle, and instrument counts were correct at the end of "
              "the case.|The specimen was passed off the field and sent to pathology.|Local anesthetic was "
              "infiltrated at the incision sites.|Trocars were placed under direct visualization.|The structures "
              "were carefully dissected and identified before division.|{Pt} tolerated the procedure well.",
    "findings": "The lungs are clear without focal consolidation, effusion, or pneumothorax.|The heart size is within "
                "normal limits.|The mediastinal contours are unremarkable.|There is no free fluid or free air.|The "
                "liver, spleen, pancreas, and adrenal glands are unremarkable.|The kidneys enhance symmetrically "
                "without hydronephrosis.|There is a {size} nodule in the {side} lower lobe.|Mild degenerative changes "
                "are present in the lower lumbar spine.|No acute fracture or dislocation is identified.|The "
                "visualized osseous structures are intact.|There is mild soft tissue swelling.|There is no "
                "intracranial hemorrhage, mass effect, or midline shift.|Small amount of dependent atelectasis at the "
                "lung bases.",
    "impression": "No acute cardiopulmonary process.|{Size} nodule in the {side} lower lobe; follow-up imaging in {n} "
                  "months is recommended.|No acute intracranial abnormality.|Mild degenerative changes without acute "
                  "fracture.|Findings are consistent with {dx}.",
    "gross": "The specimen is received in formalin labeled with the patient's name and medical record number.|It "
             "consists of a tan-pink soft tissue fragment measuring {size}.|The specimen is serially sectioned and "
             "entirely submitted in {n} cassettes.|The cut surface is homogeneous and tan-yellow.|The margins are "
             "inked blue.|A representative section is frozen for intraoperative consultation.",
    "micro": "Sections show benign tissue with mild chronic inflammation.|There is no evidence of dysplasia or "
             "malignancy.|The surgical margins are free of lesion.|Scattered lymphoid aggregates are present.|"
             "Immunohistochemical stains support the diagnosis.|The epithelium shows reactive changes.",
    "edcourse": "An IV was established and laboratory studies were sent.|{He} received {drug} with improvement in "
                "symptoms.|Repeat vital signs were stable.|The case was discussed with the on-call {spec} "
                "physician.|{He} was observed in the department for {n} hours.|Imaging was obtained and reviewed.",
    "subjective": "{Pt} returns for follow-up of {dx}.|{He} reports feeling better since the last visit on {pdate}.|"
                  "Home blood sugars have ranged from {glu} to {glu2}.|{He} denies side effects from {his} "
                  "medications.|Sleep and appetite are normal.|{He} still has occasional {cc}.",
    "letter_open": "Thank you for referring {pt} to our clinic.|I had the pleasure of seeing {him} in consultation on "
                   "{pdate} for evaluation of {cc}.|I saw {pt} again in the office for follow-up of {dx}.",
    "letter": "As you know, {he} is a {age}-year-old {sexw} with a history of {dx2}.|On examination today, {his} blood "
              "pressure was {bp} and heart rate {hr}.|My impression is that {his} symptoms are most consistent with "
              "{dx}.|I have recommended {med} and will see {him} again in {n} weeks.|Recent laboratory studies were "
              "reviewed and are unremarkable.|We discussed the risks and benefits of further testing, and {he} would "
              "like to proceed.|An echocardiogram performed on {pdate} was reviewed.|{He} reports good adherence to "
              "{his} current regimen.",
    "letter_close": "Please do not hesitate to contact me with any questions.|I will keep you informed of {his} "
                    "progress.|Thank you for allowing me to participate in {his} care.",
    "consent": "I hereby authorize {doc} and such assistants as may be selected to perform the following procedure: "
               "{proc}.|The nature and purpose of the procedure, alternative treatments, and the risks involved have "
               "been explained to me.|I understand that complications may include bleeding, infection, injury to "
               "nearby structures, and reactions to anesthesia.|I consent to the administration of anesthesia as "
               "considered necessary.|I consent to the disposal of any tissue removed during the procedure.|I "
               "acknowledge that no guarantee has been made as to the results that may be obtained.|I have had the "
               "opportunity to ask questions, and all of my questions have been answered.",
    "addendum": "Results reviewed with the patient by telephone.|Final culture results were negative.|The "
                "medication list was reconciled with the pharmacy.|Correction: the procedure was on the {side} side.",
}
SEC = lambda *h: list(h)
DOC_SPECS = {  # titles, page range, sections: (heading variants, bank or @renderer, sentence range)
    "history_and_physical": (["HISTORY AND PHYSICAL", "History and Physical", "ADMISSION HISTORY AND PHYSICAL",
                              "H&P"], (1, 4), [
        (SEC("CHIEF COMPLAINT", "REASON FOR ADMISSION"), "cc", (1, 1)),
        (SEC("HISTORY OF PRESENT ILLNESS", "HPI"), "hpi", (4, 10)),
        (SEC("PAST MEDICAL HISTORY", "MEDICAL HISTORY"), "pmh", (2, 4)),
        (SEC("PAST SURGICAL HISTORY", "SURGICAL HISTORY"), "psh", (1, 2)),
        (SEC("MEDICATIONS", "HOME MEDICATIONS", "CURRENT MEDICATIONS"), "@meds", (2, 6)),
        (SEC("ALLERGIES", "DRUG ALLERGIES"), "allergy", (1, 1)),
        (SEC("SOCIAL HISTORY"), "social", (2, 3)), (SEC("FAMILY HISTORY"), "family", (1, 2)),
        (SEC("REVIEW OF SYSTEMS"), "ros", (3, 8)),
        (SEC("PHYSICAL EXAMINATION", "PHYSICAL EXAM", "EXAMINATION"), "@exam", (5, 11)),
        (SEC("LABORATORY DATA", "LABS", "DIAGNOSTIC DATA"), "@labs", (2, 5)),
        (SEC("ASSESSMENT AND PLAN", "IMPRESSION AND PLAN", "ASSESSMENT/PLAN"), "@plan", (2, 5))]),
    "progress_note": (["PROGRESS NOTE", "Progress Note", "OFFICE VISIT", "Follow-up Visit", "CLINIC NOTE"], (1, 3), [
        (SEC("SUBJECTIVE", "S", "INTERVAL HISTORY"), "subjective", (2, 6)),
        (SEC("OBJECTIVE", "O"), "@exam", (3, 8)), (SEC("LABS"), "@labs", (1, 4)),
        (SEC("ASSESSMENT", "A"), "@assess", (1, 3)), (SEC("PLAN", "P"), "plan", (2, 6))]),
    "discharge_summary": (["DISCHARGE SUMMARY", "Discharge Summary", "HOSPITAL DISCHARGE SUMMARY"], (1, 4), [
        (SEC("ADMISSION DIAGNOSIS", "ADMITTING DIAGNOSIS"), "@dx", (1, 1)),
        (SEC("DISCHARGE DIAGNOSES", "FINAL DIAGNOSES"), "@assess", (1, 3)),
        (SEC("PROCEDURES", "PROCEDURES PERFORMED"), "@proc", (1, 1)),
        (SEC("HOSPITAL COURSE", "BRIEF HOSPITAL COURSE"), "course", (5, 14)),
        (SEC("CONDITION AT DISCHARGE", "DISCHARGE CONDITION"), "@cond", (1, 1)),
        (SEC("DISCHARGE MEDICATIONS"), "@meds", (2, 7)),
        (SEC("FOLLOW-UP", "DISCHARGE INSTRUCTIONS", "FOLLOW-UP INSTRUCTIONS"), "followup", (2, 5))]),
    "operative_report": (["OPERATIVE REPORT", "Operative Report", "OPERATIVE NOTE", "REPORT OF OPERATION"], (1, 3), [
        (SEC("PREOPERATIVE DIAGNOSIS"), "@dx", (1, 1)), (SEC("POSTOPERATIVE DIAGNOSIS"), "@dxsame", (1, 1)),
        (SEC("PROCEDURE PERFORMED", "OPERATION", "PROCEDURE"), "@proc", (1, 1)),
        (SEC("SURGEON"), "@doc", (1, 1)), (SEC("ANESTHESIA"), "@anes", (1, 1)),
        (SEC("ESTIMATED BLOOD LOSS", "EBL"), "@ebl", (1, 1)),
        (SEC("INDICATIONS", "INDICATIONS FOR PROCEDURE"), "indication", (2, 3)),
        (SEC("DESCRIPTION OF PROCEDURE", "PROCEDURE IN DETAIL", "OPERATIVE TECHNIQUE"), "opdesc", (6, 15)),
        (SEC("SPECIMENS"), "@spec", (1, 1)), (SEC("COMPLICATIONS"), "@none", (1, 1))]),
    "radiology_report": (["RADIOLOGY REPORT", "Diagnostic Imaging Report", "IMAGING REPORT"], (1, 2), [
        (SEC("EXAM", "EXAMINATION", "STUDY"), "@exam_name", (1, 1)),
        (SEC("CLINICAL HISTORY", "INDICATION", "HISTORY"), "cc", (1, 1)),
        (SEC("COMPARISON"), "@comparison", (1, 1)),
        (SEC("TECHNIQUE"), "@technique", (1, 1)), (SEC("FINDINGS"), "findings", (4, 12)),
        (SEC("IMPRESSION", "CONCLUSION"), "impression", (1, 3))]),
    "pathology_report": (["SURGICAL PATHOLOGY REPORT", "Pathology Report", "SURGICAL PATHOLOGY CONSULTATION"], (1, 2), [
        (SEC("SPECIMEN", "SPECIMEN SUBMITTED"), "@spec", (1, 1)),
        (SEC("CLINICAL HISTORY", "CLINICAL INFORMATION"), "@dx", (1, 1)),
        (SEC("GROSS DESCRIPTION"), "gross", (3, 6)), (SEC("MICROSCOPIC DESCRIPTION"), "micro", (2, 6)),
        (SEC("DIAGNOSIS", "FINAL DIAGNOSIS"), "@pathdx", (1, 1))]),
    "emergency_report": (["EMERGENCY DEPARTMENT REPORT", "Emergency Room Record", "ED PHYSICIAN NOTE"], (1, 3), [
        (SEC("CHIEF COMPLAINT"), "cc", (1, 1)), (SEC("HISTORY OF PRESENT ILLNESS", "HPI"), "hpi", (3, 8)),
        (SEC("REVIEW OF SYSTEMS"), "ros", (2, 5)), (SEC("PHYSICAL EXAMINATION"), "@exam", (4, 10)),
        (SEC("EMERGENCY DEPARTMENT COURSE", "ED COURSE"), "edcourse", (2, 6)),
        (SEC("DIAGNOSIS", "CLINICAL IMPRESSION"), "@assess", (1, 2)),
        (SEC("DISPOSITION"), "@cond", (1, 1))]),
    "correspondence": (["Letter"], (1, 2), [(None, "letter_open", (1, 2)), (None, "letter", (3, 8)),
                                            (None, "letter_close", (1, 2))]),
    "face_sheet": (["REGISTRATION FACE SHEET", "Face Sheet", "PATIENT REGISTRATION RECORD", "ADMISSION FACE SHEET"],
                   (1, 1), []),
    "consent_form": (["CONSENT FOR SURGICAL PROCEDURE", "Informed Consent for Procedure",
                      "CONSENT TO OPERATION AND ANESTHESIA"], (1, 2), [(None, "@consent", (5, 7))]),
}

# ----------------------------------------------------------------------------- dates
def fmt_date(d, style):
    m, dd, y, mon = d.month, d.day, d.year, MONTHS[d.month - 1]
    return {"mdy": f"{m:02d}/{dd:02d}/{y}", "mdy1": f"{m}/{dd}/{y}", "mdy2": f"{m:02d}/{dd:02d}/{y % 100:02d}",
            "mdyd": f"{m:02d}-{dd:02d}-{y}", "mdyp": f"{m:02d}.{dd:02d}.{y}", "iso": d.isoformat(),
            "dmon": f"{dd:02d}-{mon[:3].upper()}-{y}", "long": f"{mon} {dd}, {y}", "dlong": f"{dd} {mon} {y}",
            "monsp": f"{mon[:3].upper()} {dd} {y}",
            "monab": f"{mon[:3]}{'' if mon == 'May' else '.'} {dd}, {y}"}[style]

DATE_STYLES = ["mdy", "mdy1", "mdy2", "mdyd", "mdyp", "iso", "dmon", "long", "dlong", "monsp", "monab"]

def rand_date(rng, lo, hi):
    return lo + dt.timedelta(days=rng.randint(0, max(0, (hi - lo).days)))

def age_on(dob, d):
    return d.year - dob.year - ((d.month, d.day) < (dob.month, dob.day))

# ----------------------------------------------------------------------------- patients, facilities
def make_patient(rng):
    sex = rng.choice("MF")
    first = rng.choice(FIRST_M if sex == "M" else FIRST_F)
    last = rng.choice(LASTS)
    young = rng.random() < 0.2
    dob = rand_date(rng, dt.date(1996, 1, 1), dt.date(2020, 6, 30)) if young else \
        rand_date(rng, dt.date(1925, 1, 1), dt.date(1995, 12, 31))
    return dict(sex=sex, first=first, last=last, middle=rng.choice("ABCDEFGHJKLMNPRSTW"), dob=dob,
                mrn=f"{rng.randint(0, 99999999):08d}")

def printed_name(p, form, middle):
    f, l, m = p["first"], p["last"], (p["middle"] + "." if middle else "")
    up = form in ("LAST, FIRST", "FIRST LAST")
    f, l = (f.upper(), l.upper()) if up else (f, l)
    if form.startswith("LAST") or form.startswith("Last"):
        return f"{l}, {f}" + (f" {m}" if m else "")
    return f"{f} {m + ' ' if m else ''}{l}"

def phone_number(rng):
    return f"({rng.randint(201, 989)}) {rng.randint(200, 999)}-{rng.randint(0, 9999):04d}"

def make_facility(rng, fams):
    town = rng.choice(TOWNS)
    name = f"{rng.choice([town, 'St. ' + rng.choice(FIRST_F + FIRST_M), rng.choice(LASTS).replace('-', ' ')])} " \
           f"{rng.choice(FAC_KINDS)}"
    phone = phone_number(rng)
    addr = f"{rng.randint(10, 9999)} {rng.choice(STREETS)} {rng.choice(ST_SUFFIX)}, {town}, " \
           f"{rng.choice(STATES)} {rng.randint(10000, 99999)}"
    fam = rng.choice(list(fams))
    mono = "Mono" in fam
    return dict(
        name=name.upper() if rng.random() < 0.5 else name, addr=addr,
        phone=rng.choice(["Phone ", "Tel ", "Tel: ", "Ph. ", ""]) + phone, dept=rng.choice(DEPTS),
        fonts=fams[fam], pt=rng.uniform(9, 11.5 if mono else 13), spacing=rng.uniform(1.0, 1.5),
        margins=[rng.uniform(0.5, 1.25) for _ in range(4)], ink=rng.choice([0, 0, 0, 30, 60]),
        letterhead=rng.choice(["left", "center", "split", "plain"]), lh_rule=rng.random() < 0.5,
        title_align=rng.choice(["left", "center", "center"]), title_scale=rng.uniform(1.05, 1.5),
        title_first=rng.random() < 0.3,
        header=rng.choice(["inline2", "twocol", "stacked", "form", "inline3"]), form_boxed=rng.random() < 0.6,
        tab_values=rng.random() < 0.4, bold_labels=rng.random() < 0.5,
        name_lbl=rng.choice(["Name:", "Patient:", "Patient Name:", "Pt:", "PATIENT NAME:", "Pt Name:"]),
        mrn_lbl=rng.choice(["MRN:", "MR#:", "Medical Record No.:", "Medical Record Number:", "MR No:",
                            "Patient ID:", "Med Rec No:", "Chart #:"]),
        dob_lbl=rng.choice(["DOB:", "Date of Birth:", "Birth Date:", "D.O.B.:", "Born:", "Birthdate:"]),
        name_form=rng.choice(["LAST, FIRST", "Last, First", "First Last", "FIRST LAST"]),
        middle=rng.random() < 0.3, date_style=rng.choice(DATE_STYLES),
        footer=rng.choice(["pkn", "pkn", "pk", "dash", "continued", None]), p1of1=rng.random() < 0.4,
        footer_left=rng.choice([None, None, "CONFIDENTIAL", "printed", "name"]),
        cont=rng.choice(["repeat", "short", "short"]), sections=rng.choice(["inline", "block", "underline"]),
        heading_case=rng.choice(["upper", "upper", "title"]), justify=rng.random() < 0.3,
        extras=rng.sample(["Account:", "Attending:", "Location:", "Sex:", "Age:"], rng.randint(0, 2)))

# ----------------------------------------------------------------------------- text filling
def titlecase(s):
    small = {"of", "and", "the", "for", "to", "in", "at", "with", "on"}
    return " ".join(w.capitalize() if i == 0 or w.lower() not in small else w.lower()
                    for i, w in enumerate(s.lower().split(" "))).replace("H&p", "H&P")

class Slots(dict):
    """str.format_map source: pronouns and clinical values drawn on demand."""

    def __init__(self, rng, ctx):
        super().__init__()
        self.rng, self.c = rng, ctx

    def __missing__(self, k):
        r, c = self.rng, self.c
        if k[:1].isupper() and k.lower() in ("he", "his", "him", "pt", "cc", "dx", "dx2", "spec", "size"):
            v = self.__missing__(k.lower())
            return v[:1].upper() + v[1:]
        male = c["sex"] == "M"
        simple = {"he": "he" if male else "she", "his": "his" if male else "her", "him": "him" if male else "her",
                  "sexw": r.choice(["man", "gentleman", "male"] if male else ["woman", "lady", "female"]),
                  "cc": c["cc"], "dx": c["dx"], "dx2": c["dx2"], "proc": c["proc"], "age": str(c["age"])}
        if k in simple:
            return simple[k]
        if k == "pt":
            return r.choice(["the patient", ("Mr. " if male else "Ms. ") + c["last"]])
        if k == "pdate":
            d = c["svc"] - dt.timedelta(days=r.randint(7, 900))
            return fmt_date(max(d, c["dob"] + dt.timedelta(days=1)), c["style"] if r.random() < .6
                            else r.choice(DATE_STYLES))
        if k == "fdate":
            return fmt_date(c["svc"] + dt.timedelta(days=r.randint(5, 60)), c["style"])
        vals = {"days": lambda: r.randint(2, 14), "n": lambda: r.randint(2, 8), "n3": lambda: r.randint(48, 88),
                "year": lambda: r.randint(min(c["svc"].year, max(1950, c["dob"].year + 1)), c["svc"].year),
                "drug": lambda: r.choice(["ibuprofen", "acetaminophen", "ondansetron", "ketorolac"]),
                "med": lambda: " ".join(r.choice(DRUGS)), "spec": lambda: r.choice(SPECIALTIES),
                "bp": lambda: f"{r.randint(98, 172)}/{r.randint(54, 98)}", "hr": lambda: r.randint(56, 112),
                "rr": lambda: r.randint(12, 22), "temp": lambda: f"{r.uniform(97.0, 101.4):.1f}",
                "spo2": lambda: r.randint(91, 100), "wbc": lambda: f"{r.uniform(4, 16):.1f}",
                "hgb": lambda: f"{r.uniform(9, 16):.1f}", "plt": lambda: r.randint(140, 420),
                "na": lambda: r.randint(132, 145), "k": lambda: f"{r.uniform(3.3, 5.2):.1f}",
                "cr": lambda: f"{r.uniform(0.6, 2.1):.1f}", "glu": lambda: r.randint(80, 140),
                "glu2": lambda: r.randint(150, 260), "side": lambda: r.choice(["left", "right"]),
                "size": lambda: f"{r.uniform(0.4, 4):.1f} x {r.uniform(0.3, 3):.1f} cm",
                "doc": lambda: c["doctor"], "job": lambda: r.choice(["teacher", "mechanic", "nurse", "farmer",
                                                                       "bookkeeper", "retired machinist", "student"])}
        return str(vals[k]())

def fill(rng, ctx, template):
    s = template.format_map(Slots(rng, ctx))
    return s[:1].upper() + s[1:]

def sentences(rng, ctx, bank, k):
    items = BANKS[bank].split("|")
    picks = rng.sample(items, min(k, len(items)))
    return " ".join(fill(rng, ctx, t) for t in picks)

# ----------------------------------------------------------------------------- page canvas
class Page:
    """An upright page being drawn; `lines` collects the printed text in reading order."""

    def __init__(self, dpi, fac, maxlines=999, bg=255):
        self.dpi, self.fac = dpi, fac
        self.W, self.H = int(8.5 * dpi), int(11 * dpi)
        self.img = Image.new("L", (self.W, self.H), bg)
        self.d = ImageDraw.Draw(self.img)
        self.stamp = None  # L mask of stamp ink (0 = none), coloured separately
        m = [int(v * dpi) for v in fac["margins"]]
        self.L, self.R, self.top, self.limit = m[0], self.W - m[1], m[2], self.H - m[3] - int(0.35 * dpi)
        self.y, self.lines, self.barcode, self.maxlines, self.reserve = self.top, [], None, maxlines, 0
        self.ink = fac["ink"]
        self.reg = self.f()
        self.sp = self.reg.getlength(" ")
        self.lh = self.line_h(self.reg)

    def f(self, bold=False, scale=1.0):
        return font(self.fac["fonts"][1 if bold else 0], self.fac["pt"] * scale * self.dpi / 72)

    def line_h(self, fnt, spacing=None):
        a, d = fnt.getmetrics()
        return int((a + d) * (spacing or self.fac["spacing"]))

    def room(self, n=1, h=None):
        return len(self.lines) + n <= self.maxlines and self.y + (h or n * self.lh) <= self.limit - self.reserve

    def gap(self, frac=0.5):
        self.y += int(self.lh * frac)

    def rule(self, w=None):
        self.d.line([(self.L, self.y + self.lh // 4), (self.R, self.y + self.lh // 4)], fill=self.ink,
                    width=w or max(1, self.dpi // 100))
        self.y += self.lh // 2

    def row(self, groups, force=False, spacing=None):
        """One baseline of text groups: [(x|'c'|'r', [(text, font), ...]), ...]; False if no room."""
        laid = []
        for x, segs in groups:
            segs = [(t, f) for t, f in segs if t]
            w = sum(f.getlength(t) for t, f in segs) + self.sp * (len(segs) - 1)
            x = self.R - w if x == "r" else (self.L + self.R - w) / 2 if x == "c" else x
            laid.append((x, w, segs))
        fits = laid[0][0] >= self.L - 2 and laid[-1][0] + laid[-1][1] <= self.R + 2 and \
            all(a[0] + a[1] + self.sp <= b[0] for a, b in zip(laid, laid[1:]))
        if not fits:
            if len(groups) == 1:
                return self.para([(w, f) for t, f in laid[0][2] for w in t.split()], force=force) == []
            return all([self.row([(self.L, g[1])], force) for g in groups])
        fonts = [f for _, _, segs in laid for _, f in segs]
        h = max(self.line_h(f, spacing) for f in fonts)
        if not force and not self.room(1, h):
            return False
        base = self.y + max(f.getmetrics()[0] for f in fonts)
        for x, _, segs in laid:
            for t, f in segs:
                self.d.text((x, base), t, font=f, fill=self.ink, anchor="ls")
                x += f.getlength(t) + self.sp
        self.lines.append(" ".join(t for _, _, segs in laid for t, _ in segs))
        self.y += h
        return True

    def wrap(self, tokens, indent=0):
        """Greedy line breaks of (word, font) tokens: [(start, end, width, height)]."""
        avail, out, i = self.R - self.L - indent, [], 0
        while i < len(tokens):
            w, j = 0, i
            while j < len(tokens):
                add = tokens[j][1].getlength(tokens[j][0]) + (self.sp if j > i else 0)
                if j > i and w + add > avail:
                    break
                w, j = w + add, j + 1
            out.append((i, j, w, max(self.line_h(f) for _, f in tokens[i:j])))
            i = j
        return out

    def para(self, tokens, indent=0, justify=False, force=False):
        """Draw wrapped tokens; returns the tokens that did not fit (page full)."""
        lines = self.wrap(tokens, indent)
        for n, (i, j, w, h) in enumerate(lines):
            if not force and not self.room(1, h):
                return tokens[i:]
            gap = self.sp
            if justify and n < len(lines) - 1 and j - i > 1:
                gap = min(self.sp * 3, self.sp + (self.R - self.L - indent - w) / (j - i - 1))
            x, base = self.L + indent, self.y + max(f.getmetrics()[0] for _, f in tokens[i:j])
            for t, f in tokens[i:j]:
                self.d.text((x, base), t, font=f, fill=self.ink, anchor="ls")
                x += f.getlength(t) + gap
            self.lines.append(" ".join(t for t, _ in tokens[i:j]))
            self.y += h
        return []

    def form(self, rows, boxed, force=False):
        """Form rows [(labels, values)]: label row is one line, value row the next; cells maybe boxed."""
        lf, vf, pad = self.f(False, 0.8), self.reg, int(self.sp * 1.5)
        rows = [r for lv in rows for r in self._split_row(lv, lf, vf, pad)]
        need = sum(self.line_h(lf, 1.1) + self.line_h(vf, 1.2) for _ in rows) + len(rows) * 4
        if not force and not self.room(2 * len(rows), need):
            return False
        for labels, values in rows:
            ws = [max(lf.getlength(a), vf.getlength(b)) + 2 * pad for a, b in zip(labels, values)]
            extra = (self.R - self.L - sum(ws)) / len(ws)
            xs, x = [], self.L
            for w in ws:
                xs.append(x)
                x += w + extra
            y0 = self.y
            self.row([(x + pad, [(t, lf)]) for x, t in zip(xs, labels)], True, 1.1)
            self.row([(x + pad, [(t, vf)]) for x, t in zip(xs, values)], True, 1.2)
            if boxed:
                for x, w in zip(xs, ws):
                    self.d.rectangle([x, y0 - 2, x + w + extra - 4, self.y + 2], outline=self.ink, width=2)
            self.y += 6
        return True

    def _split_row(self, lv, lf, vf, pad):
        labels, values = lv
        ws = [max(lf.getlength(a), vf.getlength(b)) + 2 * pad for a, b in zip(labels, values)]
        if sum(ws) <= self.R - self.L or len(labels) == 1:
            return [lv]
        h = len(labels) // 2
        return self._split_row((labels[:h], values[:h]), lf, vf, pad) + \
            self._split_row((labels[h:], values[h:]), lf, vf, pad)

    def table(self, header, rows, force=False):
        """Ruled table; each row (header included) is one line of text."""
        fb, pad = self.f(True, 0.95), int(self.sp * 1.5)
        all_rows = [header] + rows
        ws = [max(fb.getlength(r[i]) for r in all_rows) + 2 * pad for i in range(len(header))]
        if sum(ws) > self.R - self.L:
            return self.form([(header, r) for r in rows], True, force)
        scale = (self.R - self.L) / sum(ws)
        ws = [w * scale for w in ws]
        h = self.line_h(fb, 1.35)
        if not force and not self.room(len(all_rows), h * len(all_rows) + 8):
            return False
        y0 = self.y
        xs = [self.L + sum(ws[:i]) for i in range(len(ws))]
        for k, r in enumerate(all_rows):
            self.y = y0 + k * h + int(0.12 * h)
            self.row([(x + pad, [(t, fb if k == 0 else self.reg)]) for x, t in zip(xs, r)], True, 1.0)
        for k in range(len(all_rows) + 1):
            y = y0 + k * h
            self.d.line([(self.L, y), (self.R, y)], fill=self.ink, width=2)
        for x in [self.L + sum(ws[:i]) for i in range(len(ws) + 1)]:
            self.d.line([(x, y0), (x, y0 + h * len(all_rows))], fill=self.ink, width=2)
        self.y = y0 + h * len(all_rows) + self.lh // 3
        return True

    def barcode_band(self, value, module, height, align, hri, rng):
        bits = pybarcode.get("code128", value).build()[0]
        w = len(bits) * module
        x0 = {"c": (self.W - w) // 2, "l": self.L + 10 * module, "r": self.R - w - 10 * module}[align]
        if hri == "above":
            self.row([("c" if align == "c" else x0, [(value, self.f(False, 1.2))])], True)
        y0 = self.y + self.lh // 3
        for i, b in enumerate(bits):
            if b == "1":
                self.d.rectangle([x0 + i * module, y0, x0 + (i + 1) * module - 1, y0 + height], fill=0)
        self.y = y0 + height + self.lh // 3
        if hri == "below":
            fnt = font(MONO[0], self.fac["pt"] * 1.1 * self.dpi / 72) if MONO and rng.random() < .5 else self.reg
            self.row([("c" if align == "c" else x0, [(value, fnt)])], True)
        self.barcode = value

    def scrawl(self, rng, x, y, w, h):
        """Handwriting-like looping stroke (not text)."""
        n, loops = 240, rng.uniform(6, 14)
        ph, amp = rng.uniform(0, 6), [rng.uniform(0.5, 1) for _ in range(4)]
        pts = []
        for i in range(n):
            t = i / (n - 1)
            env = amp[int(t * 3.99)] * (0.6 + 0.4 * math.sin(t * 9 + ph))
            pts.append((x + t * w + 0.35 * w / loops * math.cos(t * loops * 2 * math.pi),
                        y + h / 2 - h / 2 * env * math.sin(t * loops * 2 * math.pi + ph) + h * 0.15 * t))
        self.d.line(pts, fill=20, width=max(2, self.dpi // 100), joint="curve")
        if rng.random() < 0.5:  # flourish underneath
            self.d.line([(x, y + h * 1.05), (x + w * 0.9, y + h * 0.95)], fill=20, width=max(2, self.dpi // 100))

    def stamp_box(self, rng, texts, angle):
        """A rubber stamp: boxed lines, rotated a few degrees, on the stamp layer; its text is recorded."""
        fnt = font(self.fac["fonts"][1], 15 * self.dpi / 72)
        lh = self.line_h(fnt, 1.25)
        w = int(max(fnt.getlength(t) for t in texts) + 2 * lh)
        h = lh * len(texts) + lh
        im = Image.new("L", (w, h), 0)
        dd = ImageDraw.Draw(im)
        dd.rectangle([3, 3, w - 4, h - 4], outline=255, width=max(3, self.dpi // 60))
        for i, t in enumerate(texts):
            dd.text((w / 2, lh * (i + 1)), t, font=fnt, fill=255, anchor="mm")
        im = im.rotate(angle, expand=True, resample=Image.BILINEAR)
        if self.stamp is None:
            self.stamp = Image.new("L", (self.W, self.H), 0)
        x = rng.randint(self.L, max(self.L, self.R - im.width))
        self.stamp.paste(im, (x, self.y), im)
        self.lines.extend(texts)
        self.y += im.height + self.lh // 2

# ----------------------------------------------------------------------------- documents
def heading_text(fac, h):
    return h if fac["heading_case"] == "upper" or len(h) <= 3 else titlecase(h)

def words(text, fnt):
    return [(w, fnt) for w in text.split()]

def section_blocks(rng, ctx, page_fonts, fac, heading, bank, k):
    """Blocks for one section: heading (inline or own line) and paragraphs / list lines / tables."""
    reg, bold = page_fonts
    special = bank.startswith("@")
    items, table = [], None
    if not special:
        items = [sentences(rng, ctx, bank, k)]
        if k >= 8 and rng.random() < 0.6:  # long sections in two paragraphs
            cut = items[0].split(". ")
            h = len(cut) // 2
            items = [". ".join(cut[:h]) + ".", ". ".join(cut[h:])]
    elif bank == "@meds":
        meds = rng.sample(DRUGS, min(k, len(DRUGS)))
        if rng.random() < 0.3:
            table = ("table", ["Medication", "Dose", "Frequency"], [[m[0].capitalize(), m[1], m[2]] for m in meds])
        else:
            items = [f"{i + 1}. {m[0].capitalize()} {m[1]} {m[2]}." for i, m in enumerate(meds)]
    elif bank == "@exam":
        exam = BANKS["exam"].split("|")
        items = [fill(rng, ctx, t) for t in [exam[0]] + rng.sample(exam[1:], min(k, len(exam) - 1))]
        if rng.random() < 0.3:
            s = Slots(rng, ctx)
            table = ("form", [(["BP", "PULSE", "RESP", "TEMP", "SPO2", "WEIGHT"],
                               [s["bp"], s["hr"], s["rr"], s["temp"], s["spo2"] + "%",
                                f"{rng.randint(90, 260)} lb"])], fac["form_boxed"])
            items = items[1:]
    elif bank == "@labs":
        if rng.random() < 0.45:
            s = Slots(rng, ctx)
            rows = [["Sodium", s["na"], "mmol/L", "135-145"], ["Potassium", s["k"], "mmol/L", "3.5-5.1"],
                    ["Creatinine", s["cr"], "mg/dL", "0.6-1.2"], ["Glucose", s["glu"], "mg/dL", "70-99"],
                    ["WBC", s["wbc"], "K/uL", "4.0-11.0"], ["Hemoglobin", s["hgb"], "g/dL", "12.0-17.0"]]
            table = ("table", ["Test", "Result", "Units", "Reference"], rng.sample(rows, rng.randint(3, 6)))
        else:
            items = [sentences(rng, ctx, "labs", k)]
    elif bank in ("@plan", "@assess"):
        dxs = [ctx["dx"]] + rng.sample([d for d in DXS if d != ctx["dx"]], k - 1)
        items = [f"{i + 1}. {d[:1].upper() + d[1:]}." + (" " + sentences(rng, ctx, "plan", rng.randint(1, 3))
                                                         if bank == "@plan" else "") for i, d in enumerate(dxs)]
    elif bank == "@consent":
        items = [f"{i + 1}. {s}" for i, s in enumerate(fill(rng, ctx, t) for t in
                                                         BANKS["consent"].split("|")[:k])]
    else:
        one = {"@dx": ctx["dx"], "@dxsame": rng.choice(["Same.", ctx["dx"]]), "@proc": ctx["proc"],
               "@doc": ctx["doctor"], "@spec": ctx["spec"], "@exam_name": ctx["exam"],
               "@anes": rng.choice(["General endotracheal anesthesia.", "Spinal anesthesia.",
                                    "Monitored anesthesia care with local anesthetic."]),
               "@ebl": rng.choice([f"{rng.randint(5, 400)} mL.", "Minimal."]),
               "@none": rng.choice(["None.", "None apparent."]),
               "@cond": rng.choice(["Stable.", "Good.", "Improved; discharged home with family.",
                                    "Stable for transfer to a skilled nursing facility."]),
               "@comparison": fill(rng, ctx, rng.choice(["Comparison is made to a prior study dated {pdate}.",
                                                         "None available."])),
               "@technique": rng.choice(["Axial images were obtained with coronal and sagittal reformats.",
                                         "Standard views were obtained.", "Routine protocol was followed."]),
               "@pathdx": f"{ctx['spec']}, excision: " + rng.choice(
                   ["benign tissue with chronic inflammation. Negative for malignancy.",
                    "no evidence of dysplasia or carcinoma.", "changes consistent with the clinical diagnosis."])}
        items = [one[bank]]
    items = [t[:1].upper() + t[1:] for t in items]
    if bank == "@consent" and rng.random() < 0.5:
        table = ("checks", ["I consent to the transfusion of blood products if needed.",
                            "I agree to photography for my medical record."])
    blocks = []
    listy = table is not None or bank in ("@meds", "@exam", "@plan", "@assess", "@consent")
    h = heading_text(fac, heading) if heading else None
    if h and fac["sections"] == "inline" and not listy:
        blocks.append(("para", words(h + ":", bold) + words(items[0], reg), 0))
        items = items[1:]
    elif h:
        need = 0 if not table else len(table[1]) if table[0] == "checks" else \
            2 * len(table[1]) + 1 if table[0] == "form" else len(table[2]) + 2
        blocks.append(("head", h + (":" if fac["sections"] == "inline" or len(h) < 3 or rng.random() < .3 else ""),
                       fac["sections"] == "underline", need))
    if table and table[0] != "checks":
        blocks.append(table)
    for t in items:
        blocks.append(("para", words(t, reg), int(reg.getlength("    ")) if listy and t[:1].isdigit() else 0))
    return blocks + ([table] if table and table[0] == "checks" else [])

def face_sheet_blocks(rng, ctx, doc, chart, fac):
    p = chart["patient"]
    name = printed_name(p, fac["name_form"], False)
    nok = f"{rng.choice(LASTS).upper()}, {rng.choice(FIRST_M + FIRST_F).upper()}"
    adm_lbl = rng.choice(["ADMIT DATE", "VISIT DATE", "ENCOUNTER DATE"])
    sections = [("PATIENT INFORMATION", [(["PATIENT NAME", "MRN", "ACCOUNT NO."], [name, p["mrn"], doc["acct"]]),
                                         (["DATE OF BIRTH", "AGE", "SEX", "MARITAL STATUS"],
                                          [doc["dob_str"], str(ctx["age"]), "Male" if p["sex"] == "M" else "Female",
                                           rng.choice(["Single", "Married", "Widowed", "Divorced"])]),
                                         (["ADDRESS", "CITY", "STATE", "ZIP"],
                                          [f"{rng.randint(10, 9999)} {rng.choice(STREETS)} {rng.choice(ST_SUFFIX)}",
                                           rng.choice(TOWNS), rng.choice(STATES), f"{rng.randint(10000, 99999)}"])]),
                ("VISIT INFORMATION", [([adm_lbl, "TIME", "PATIENT TYPE", "ROOM"],
                                        [doc["svc_str"], f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}",
                                         rng.choice(["Inpatient", "Outpatient", "Observation", "Emergency"]),
                                         f"{rng.randint(100, 699)}-{rng.choice('AB')}"]),
                                       (["ATTENDING PHYSICIAN", "REASON FOR VISIT"],
                                        [ctx["doctor"], ctx["cc"][:1].upper() + ctx["cc"][1:]])]),
                ("INSURANCE", [(["PRIMARY INSURANCE", "POLICY NUMBER", "GROUP"],
                                [rng.choice(INSURERS), f"{rng.choice('ABKXZ')}{rng.randint(10 ** 7, 10 ** 8 - 1)}",
                                 str(rng.randint(1000, 99999))])]),
                ("EMERGENCY CONTACT", [(["NAME", "RELATIONSHIP", "PHONE"],
                                        [nok, rng.choice(["Spouse", "Daughter", "Son", "Mother", "Friend"]),
                                         phone_number(rng)])])]
    out = []
    for title, rows in sections:
        out += [("head", heading_text(fac, title), fac["sections"] == "underline", 2 * len(rows) + 1),
                ("form", rows, fac["form_boxed"])]
    return out

def closing_blocks(rng, ctx, doc, fac):
    t, d = doc["type"], doc["svc"]
    styl = fac["date_style"]
    if t == "correspondence":
        return [("gap",), ("para", words(rng.choice(["Sincerely,", "Best regards,", "Respectfully,"]), None), 0),
                ("scrawl",), ("para", words(ctx["doctor"], None), 0),
                ("para", words(f"cc: Dr. {rng.choice(FIRST_M + FIRST_F)} {rng.choice(LASTS)}", None), 0)]
    if t == "consent_form":
        return [("gap",), ("sig", "Patient Signature:", None), ("sig", "Date:", doc["sign_str"]),
                ("sig", "Witness:", None), ("sig", rng.choice(["Physician Signature:", "Physician:"]), None)]
    if t == "face_sheet":
        return [("gap",), ("para", words(f"Registered by: {rng.choice('ABCDEFGHJKLMNPRST')}"
                                         f"{rng.choice(LASTS).upper()[:6]}", None), 0)]
    dd = fmt_date(d + dt.timedelta(days=rng.randint(0, 3)), styl)
    tt = fmt_date(d + dt.timedelta(days=rng.randint(3, 9)), styl)
    out = [("gap",), ("scrawl",), ("para", words(rng.choice(["Electronically signed by: ", "Dictated by: ", ""]) +
                                             ctx["doctor"], None), 0)]
    out.append(("para", words(rng.choice([f"D: {dd} T: {tt}", f"Dictated: {dd} Transcribed: {tt}",
                                          f"Signed: {dd} {rng.randint(7, 19):02d}:{rng.randint(0, 59):02d}"]) +
                              rng.choice(["", f" Job #: {rng.randint(10000, 999999)}"]), None), 0))
    return out

def render(page, b, split):
    """Draw one block; 'done', 'nofit', or the rest of a split paragraph."""
    kind = b[0]
    reg, bold = page.reg, page.f(True)
    fix = lambda toks: [(w, f or reg) for w, f in toks]
    if kind == "para":
        toks = fix(b[1])
        lines = page.wrap(toks, b[2])
        if not split and not page.room(len(lines), sum(ln[3] for ln in lines)):  # must fit whole
            return "nofit"
        rest = page.para(toks, b[2], page.fac["justify"] and b[2] == 0)
        return ("para", rest, b[2]) if rest and len(rest) < len(toks) else "nofit" if rest else "done"
    if kind == "head":  # kept with the first lines (or the whole table) that follow it
        need = 3 + (b[3] if len(b) > 3 else 0)
        if not page.room(need, int(need * page.lh * 1.4)):
            return "nofit"
        page.gap(0.3)
        y0 = page.y
        page.row([(page.L, [(b[1], bold)])])
        if b[2]:
            w = bold.getlength(b[1])
            page.d.line([(page.L, page.y - page.lh // 6), (page.L + w, page.y - page.lh // 6)], fill=page.ink, width=2)
        return "done" if page.y > y0 else "nofit"
    if kind == "gap":
        page.gap(0.6)
        return "done"
    if kind == "table":
        return "done" if page.table(b[1], b[2]) else "nofit"
    if kind == "form":
        return "done" if page.form(b[1], b[2]) else "nofit"
    if kind == "checks":
        if not page.room(len(b[1])):
            return "nofit"
        box = int(page.lh * 0.55)
        for t in b[1]:
            y = page.y + page.lh * 0.2
            page.d.rectangle([page.L, y, page.L + box, y + box], outline=page.ink, width=2)
            page.row([(page.L + box * 2, [(t, reg)])])
        return "done"
    if kind == "scrawl":
        if not page.room(0, page.lh * 2):
            return "nofit"
        page.scrawl(random.Random(page.y), page.L, page.y, page.dpi * 1.8, page.lh * 1.6)
        page.y += int(page.lh * 2)
        return "done"
    if kind == "sig":
        if not page.room(1, page.lh * 2):
            return "nofit"
        page.gap(1.0)
        y0, w = page.y, bold.getlength(b[1])
        page.row([(page.L, [(b[1], reg)] + ([(b[2], reg)] if b[2] else []))])
        base = y0 + reg.getmetrics()[0] + 4
        x1 = page.L + reg.getlength(b[1]) + page.sp
        if b[2] is None:
            page.d.line([(x1, base), (x1 + page.dpi * 2.6, base)], fill=page.ink, width=2)
            page.scrawl(random.Random(y0), x1 + 20, y0 - page.lh * 0.6, page.dpi * 1.6, page.lh * 1.3)
        return "done"
    raise ValueError(kind)

def draw_letterhead(page, fac, scale=1.0):
    big = 1.25 + 0.4 * scale if fac["letterhead"] != "plain" else 1.1
    fb = page.f(True, big)
    while fb.getlength(fac["name"]) > (page.R - page.L) * 0.95:
        big *= 0.9
        fb = page.f(True, big)
    al = "c" if fac["letterhead"] == "center" else page.L
    g = [(al, [(fac["name"], fb)])]
    if fac["letterhead"] == "split":
        g.append(("r", [(fac["dept"], page.f(False, 0.9))]))
    page.row(g, True)
    small = page.f(False, 0.9)
    if fac["letterhead"] == "plain":
        page.row([(page.L, [(fac["addr"], small), (fac["phone"], small)])], True)
    else:
        page.row([(al, [(fac["addr"], small)])], True)
        page.row([(al, [(fac["phone"], small)])], True)
    if fac["lh_rule"]:
        page.rule(max(2, page.dpi // 75))
    else:
        page.gap(0.5)

def draw_header(page, fac, fields):
    reg, fb = page.reg, page.f(fac["bold_labels"])
    lv = lambda f: [(f[0], fb), (f[1], reg)]
    mid = page.L + (page.R - page.L) // 2
    lay = fac["header"]
    if lay == "form":
        up = fac["bold_labels"]
        lab = [(l.upper() if up else l) for l, _ in fields]
        rows = [(lab[i:i + 3], [v for _, v in fields[i:i + 3]]) for i in range(0, len(fields), 3)]
        page.form(rows, fac["form_boxed"], force=True)
    elif lay == "stacked":
        tab = page.L + max(fb.getlength(l) for l, _ in fields) + page.sp * 2
        for l, v in fields:
            page.row([(page.L, [(l, fb)]), (tab, [(v, reg)])] if fac["tab_values"] else [(page.L, lv((l, v)))], True)
    elif lay == "inline3":
        for i in range(0, len(fields), 3):
            groups, x = [], page.L
            for f in fields[i:i + 3]:
                groups.append((x, lv(f)))
                x += fb.getlength(f[0]) + reg.getlength(f[1]) + page.sp * 4
            page.row(groups, True)
    else:
        order = list(range(len(fields)))
        if lay == "twocol" and len(fields) >= 4:
            order = [0, 2, 1, 3] + order[4:]
        for i in range(0, len(order), 2):
            pair = [fields[j] for j in order[i:i + 2]]
            page.row([(page.L, lv(pair[0]))] + ([(mid, lv(pair[1]))] if len(pair) > 1 else []), True)
    page.gap(0.4)

def short_header(page, fac, chart, rng):
    p = chart["patient"]
    name = printed_name(p, fac["name_form"], fac["middle"])
    fb = page.f(fac["bold_labels"])
    g = [(page.L, [(fac["name_lbl"], fb), (name, page.reg)])] if rng.random() < 0.5 else [(page.L, [(name, fb)])]
    g.append(("r" if rng.random() < 0.5 else page.L + (page.R - page.L) // 2, [(fac["mrn_lbl"], fb),
                                                                            (p["mrn"], page.reg)]))
    page.row(g, True)
    page.gap(0.5)

def wristband(page, chart, fac, doc, rng):
    p, reg, fb = chart["patient"], page.f(False, 0.85), page.f(True, 0.85)
    module = 2 if page.dpi < 250 else 3
    bits = pybarcode.get("code128", "MRN" + p["mrn"]).build()[0]
    bw = len(bits) * module
    y0, x0 = page.y + page.lh // 3, page.L + page.sp
    page.y = y0 + page.lh // 3
    lines = [[(printed_name(p, rng.choice(["LAST, FIRST", "Last, First"]), rng.random() < .5), fb)],
             [("MRN:", reg), (p["mrn"], reg), ("DOB:", reg), (doc["dob_str"], reg)],
             [(rng.choice(["M", "Male"]) if p["sex"] == "M" else rng.choice(["F", "Female"]), reg),
              (f"{doc['ctx']['age']}Y", reg)]]
    for segs in lines:
        page.row([(x0 + page.sp, segs)], True, 1.15)
    tw = max(sum(f.getlength(t) for t, f in s) + page.sp * len(s) for s in lines)
    bx = x0 + tw + page.sp * 6
    bh = max(page.y - y0 - page.lh // 2, int(0.35 * page.dpi))
    for i, b in enumerate(bits):
        if b == "1":
            page.d.rectangle([bx + i * module, y0 + page.lh // 4, bx + (i + 1) * module - 1,
                              y0 + page.lh // 4 + bh], fill=0)
    page.d.rounded_rectangle([x0, y0, bx + bw + 12 * module, max(page.y, y0 + bh + page.lh // 2) + 6],
                             radius=page.dpi // 12, outline=page.ink, width=2)
    page.y = max(page.y, y0 + bh + page.lh // 2) + page.lh // 2
    page.barcode = "MRN" + p["mrn"]

def first_page(doc, chart, fac, rng, dpi):
    page = Page(dpi, fac, rng.randint(15, 45))
    draw_letterhead(page, fac)
    title = doc["title"]
    fbt = page.f(True, fac["title_scale"])
    put_title = lambda: title != "Letter" and page.row([("c" if fac["title_align"] == "center" else page.L,
                                                         [(title, fbt)])], True)
    if doc["type"] == "correspondence":
        page.row([(page.L, [(doc["letter_date"], page.reg)])], True)
        page.gap(0.8)
        for t in [f"Dr. {doc['ctx']['referrer']}", rng.choice(TOWNS) + " " + rng.choice(FAC_KINDS[4:6])]:
            page.row([(page.L, [(t, page.reg)])], True)
        page.gap(0.6)
    if fac["title_first"]:
        put_title()
    draw_header(page, fac, doc["fields"])
    if not fac["title_first"]:
        put_title()
    if doc["body_dates"]:
        fb = page.f(fac["bold_labels"])
        groups = [(page.L if i == 0 else page.L + (page.R - page.L) // 2, [(l, fb), (v, page.reg)])
                  for i, (l, v) in enumerate(doc["body_dates"])]
        page.row(groups, True)
    if doc["type"] == "correspondence":
        page.gap(0.5)
        page.row([(page.L, [(f"Dear Dr. {doc['ctx']['referrer'].split()[-1]},", page.reg)])], True)
    if doc["type"] == "face_sheet":
        page.barcode_band("ACCT" + doc["acct"], 2 if dpi < 250 else 3, int(0.4 * dpi),
                          rng.choice(["l", "r", "c"]), rng.choice(["below", "below", "below", None]), rng)
    elif doc["wristband"]:
        wristband(page, chart, fac, doc, rng)
    page.gap(0.3)
    return page

def cont_page(doc, chart, fac, rng, dpi):
    page = Page(dpi, fac, rng.randint(15, 45))
    if fac["cont"] == "repeat":
        draw_letterhead(page, fac, 0.3)
        draw_header(page, fac, doc["fields"])
    else:
        short_header(page, fac, chart, rng)
    return page

def near_blank_page(kind, doc, chart, fac, rng, dpi):
    page = Page(dpi, fac)
    if kind == "nameonly" or rng.random() < 0.6:
        short_header(page, fac, chart, rng)
    page.y += int(rng.uniform(0.2, 2.5) * dpi)
    if kind == "signature":
        render(page, ("sig", rng.choice(["Signature:", "Physician Signature:", "Signed:"]), None), True)
        if doc["type"] == "consent_form" or rng.random() < 0.6:
            render(page, ("sig", "Date:", doc["sign_str"]), True)
        else:
            render(page, ("sig", "Date:", None), True)
    elif kind == "stamp":
        d = doc["svc"] + dt.timedelta(days=rng.randint(1, 30))
        texts = [rng.choice(["RECEIVED", "REVIEWED", "SCANNED", "FILED"]), fmt_date(d, rng.choice(["monsp", "mdy"]))]
        if rng.random() < 0.4:
            texts.append(rng.choice(["MEDICAL RECORDS", "HIM DEPT", "BY: " + rng.choice("ABCDJKMRST") * 2]))
        page.stamp_box(rng, texts, rng.uniform(-6, 6))
    elif kind == "addendum":
        page.row([(page.L, [(heading_text(fac, "ADDENDUM"), page.f(True))])], True)
        for t in rng.sample(BANKS["addendum"].split("|"), rng.randint(1, 3)):
            page.para(words(fill(rng, doc["ctx"], t), page.reg), force=True)
    return page

def footer(page, fac, k, n, doc, rng):
    st = fac["footer"]
    txt = None
    if st == "pkn" and (n > 1 or fac["p1of1"]):
        txt = f"Page {k} of {n}"
    elif st == "pk" and n > 1:
        txt = f"Page {k}"
    elif st == "dash" and n > 1:
        txt = f"- {k} -"
    elif st == "continued" and k < n:
        txt = rng.choice(["Continued", "(continued)", "Continued on next page"])
    left = {"CONFIDENTIAL": "CONFIDENTIAL", "name": fac["name"][:40].strip(), None: None,
            "printed": "Printed: " + doc["printed"]}[fac["footer_left"]]
    groups = ([(page.L, [(left, page.f(False, 0.8))])] if left else []) + \
             ([("r" if left or rng.random() < .5 else "c", [(txt, page.f(False, 0.9))])] if txt else [])
    if groups:
        page.y = max(page.y, page.limit + int(0.08 * page.dpi))
        page.row(groups, True)

def plan_document(doc_type, fac, chart, svc, rng):
    """All printed values of one document: dates and labels by the date-of-service rule, title, context."""
    p = chart["patient"]
    style = fac["date_style"]
    dob_style = "mdy" if style == "mdy2" else style
    ctx = dict(sex=p["sex"], last=p["last"], age=age_on(p["dob"], svc), svc=svc, dob=p["dob"], style=style,
               cc=rng.choice(COMPLAINTS), dx=rng.choice(DXS), dx2=rng.choice(DXS),
               doctor=f"{rng.choice(FIRST_M + FIRST_F)} {rng.choice(LASTS)}, " + rng.choice(["MD", "MD", "DO", "NP"]),
               referrer=f"{rng.choice(FIRST_M + FIRST_F)} {rng.choice(LASTS)}", exam=rng.choice(EXAMS) + ".")
    proc = rng.choice(PROCS)
    ctx.update(proc=proc[0], spec=proc[2] if proc[2] != "none" else "hardware removed",
               dx=proc[1] if doc_type in ("operative_report", "consent_form", "pathology_report") else ctx["dx"])
    generic = rng.random() < 0.4
    fmt = lambda d: fmt_date(d, style)
    svc_str = fmt(svc)
    if doc_type == "emergency_report" and rng.random() < 0.4:
        svc_str += f" {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}"
    labels = TYPE_LABELS[doc_type]
    body_dates, letter_date = [], None
    svc_label = rng.choice(GENERIC_LABELS) if generic else (rng.choice(labels) if labels else None)
    if doc_type == "discharge_summary":
        body_dates.append(("Admission Date:", fmt(svc - dt.timedelta(days=rng.randint(1, 12)))))
        if generic:
            body_dates.append(("Discharge Date:", svc_str))
    elif generic and labels and doc_type not in ("consent_form",) and rng.random() < 0.5:
        body_dates.append((rng.choice(labels), fmt(svc - dt.timedelta(days=rng.randint(0, 3)))))
    if doc_type == "correspondence":
        letter_date = fmt_date(svc + dt.timedelta(days=rng.randint(3, 40)) if generic else svc,
                               rng.choice([style, "long", "long"]))
    dlabels = DISTRACTORS.get(doc_type, DEFAULT_DISTRACTORS)
    extras = []
    for e in fac["extras"]:
        extras.append((e, {"Account:": f"{rng.randint(10 ** 8, 10 ** 9 - 1)}", "Attending:": ctx["doctor"],
                           "Location:": rng.choice(["4 West", "ICU", "Clinic B", "ED", "3N-12"]),
                           "Sex:": p["sex"], "Age:": str(ctx["age"])}[e]))
    if rng.random() < 0.35 and doc_type not in ("correspondence", "face_sheet"):
        extras.append((rng.choice(dlabels), fmt(svc + dt.timedelta(days=rng.randint(0, 6)))))
    dob_str = fmt_date(p["dob"], dob_style)
    fields = [(fac["name_lbl"] if doc_type != "correspondence" or rng.random() < .5 else "RE:",
               printed_name(p, fac["name_form"], fac["middle"])), (fac["mrn_lbl"], p["mrn"]), (fac["dob_lbl"], dob_str)]
    if svc_label:
        fields.append((svc_label, svc_str))
    sign = svc if doc_type == "consent_form" and not generic else svc - dt.timedelta(days=rng.randint(0, 2))
    return dict(type=doc_type, fac=fac, svc=svc, svc_str=svc_str, generic=generic, fields=fields + extras,
                body_dates=body_dates, letter_date=letter_date, ctx=ctx, dob_str=dob_str,
                title=rng.choice(DOC_SPECS[doc_type][0]), acct=f"{rng.randint(10 ** 8, 10 ** 9 - 1)}",
                sign_str=fmt(sign), printed=fmt(min(dt.date(2025, 12, 31), svc + dt.timedelta(rng.randint(20, 900)))),
                wristband=doc_type in ("history_and_physical", "progress_note", "emergency_report",
                                       "discharge_summary") and rng.random() < 0.15)

def build_document(doc, chart, rng, dpi):
    """Lay the document out on upright pages (near-blank pages included, footers last)."""
    fac, t = doc["fac"], doc["type"]
    lo, hi = DOC_SPECS[t][1]
    n_target = rng.randint(lo, hi)
    n_near = 1 if n_target < 4 and rng.random() < 0.1 else 0  # near-blank pages: ~5 % of content pages
    max_pages = max(1, min(n_target, 4 - n_near))
    pf = tuple(font(f, fac["pt"] * dpi / 72) for f in fac["fonts"])  # regular, bold
    if t == "face_sheet":
        blocks = face_sheet_blocks(rng, doc["ctx"], doc, chart, fac)
    else:
        blocks = []
        for heads, bank, (a, b) in DOC_SPECS[t][2]:
            k = rng.randint(a, b)
            k = int(k * (1 + 0.5 * (n_target - 1))) if b >= 6 else k
            blocks += section_blocks(rng, doc["ctx"], pf, fac, rng.choice(heads) if heads else None, bank, k)
    closing = closing_blocks(rng, doc["ctx"], doc, fac)
    close_h = sum(2 if b[0] in ("sig", "scrawl") else 1 for b in closing)
    pages = [first_page(doc, chart, fac, rng, dpi)]
    q, n_head = list(blocks), len(pages[0].lines)
    while q:
        pg, last = pages[-1], len(pages) == max_pages
        pg.reserve = int(close_h * pg.lh * 1.3) if last else 0
        res = render(pg, q[0], not last)
        if res == "done" or (res == "nofit" and len(pg.lines) <= n_head):
            q.pop(0)  # placed, or too big even for an empty page
            continue
        if res != "nofit":
            q[0] = res
        if last:
            break
        pages.append(cont_page(doc, chart, fac, rng, dpi))
        n_head = len(pages[-1].lines)
    pg = pages[-1]
    pg.reserve, pg.maxlines = 0, 999
    if not pg.room(close_h, close_h * pg.lh * 1.3) and len(pages) < 4 - n_near:
        pages.append(cont_page(doc, chart, fac, rng, dpi))
        pages[-1].maxlines = 999
    for b in closing:
        render(pages[-1], b, True)
    kinds = ["nameonly", "signature", "stamp", "addendum"]
    for _ in range(n_near):
        nb = near_blank_page(rng.choice(kinds), doc, chart, fac, rng, dpi)
        pages.insert(rng.randint(1, len(pages)), nb)
    for k, pg in enumerate(pages, 1):
        footer(pg, fac, k, len(pages), doc, rng)
    return pages

# ----------------------------------------------------------------------------- separators and blanks
def separator_page(rng, dpi, fac, value, kind):
    bg = rng.choice([255, 255, 255, 238, 228]) if kind == "separator" else rng.choice([255, 255, 242])
    page = Page(dpi, dict(fac, margins=[1, 1, rng.uniform(0.8, 2.5), 1], ink=0, spacing=1.3), bg=bg)
    if kind == "separator":
        title = rng.choice(["PATIENT SEPARATOR SHEET", "Patient Separator", "PATIENT SEPARATOR",
                            "NEW PATIENT - SEPARATOR SHEET", "Patient Separator Sheet"])
        note = rng.choice(["Place this sheet in front of each patient's records.",
                           "Scan this sheet first for every new patient.", "Insert before the first page of each "
                           "patient folder.", None])
    else:
        title = rng.choice(["DOCUMENT SEPARATOR", "Document Separator"])
        note = rng.choice(["Insert between two documents of one patient.", "Start of next document.", None])
    page.row([("c", [(title, page.f(True, 2.0))])], True)
    page.rule(max(3, dpi // 60))
    page.gap(1.5)
    module = rng.choice([4, 5, 6]) if dpi >= 250 else rng.choice([3, 4])
    page.barcode_band(value, module, int(rng.uniform(0.8, 1.5) * dpi), "c",
                      rng.choice(["below", "below", "above"]), rng)
    if note:
        page.gap(1.0)
        page.row([("c", [(note, page.f(False, 0.95))])], True)
    return page

def blank_image(prev, rng, nrng, dpi):
    W, H = int(8.5 * dpi), int(11 * dpi)
    a = np.full((H, W), 255.0, np.float32)
    if prev is not None and rng.random() < 0.7:  # mirrored bleed-through of the page before
        src = ImageOps.mirror(prev.resize((W, H))).filter(ImageFilter.GaussianBlur(dpi / 80))
        a -= (255.0 - np.asarray(src, np.float32)) * rng.uniform(0.03, 0.1)
    for _ in range(rng.randint(0, 6)):  # dust specks
        x, y, r = rng.randrange(W), rng.randrange(H), rng.randint(1, 4)
        a[max(0, y - r):y + r, max(0, x - r):x + r] = rng.uniform(40, 140)
    if rng.random() < 0.2:  # punch-hole shadow
        y = rng.randrange(H // 5, H - H // 5)
        yy, xx = np.ogrid[:H, :W]
        a[((xx - dpi * 0.3) ** 2 + (yy - y) ** 2) < (dpi * 0.13) ** 2] *= 0.82
    return Image.fromarray(a.clip(0, 255).astype(np.uint8))

# ----------------------------------------------------------------------------- scanning defects
QUALITY = {"good": dict(blur=(0, .5), noise=(1, 3), sp=(0, 2e-5), illum=(0, .05), fade=(.9, 1), jpeg=(70, 92),
                        thr=(150, 175)),
           "fair": dict(blur=(.4, 1.0), noise=(2, 5), sp=(1e-5, 6e-5), illum=(.03, .1), fade=(.75, .95),
                        jpeg=(45, 80), thr=(145, 185)),
           "poor": dict(blur=(.7, 1.5), noise=(3, 7), sp=(5e-5, 2e-4), illum=(.05, .12), fade=(.6, .85),
                        jpeg=(30, 60), thr=(150, 200))}

def chart_effects(rng, dpi, quality):
    return dict(holes=rng.choice([None, None, None, "left3", "top2"]),
                streaks=[(rng.randrange(int(8.5 * dpi)), rng.randint(1, 3), rng.uniform(15, 60))
                         for _ in range(rng.choice([0, 0, 1, 2, 3]) if quality != "good" else 0)],
                shadow=rng.choice([None, "left", "right", "top", "both"]), lowink=quality == "poor")

def geometric(img, skew, rot, fill):
    if skew:
        img = img.rotate(skew, resample=Image.BILINEAR, fillcolor=fill)
    return img.transpose({90: Image.Transpose.ROTATE_270, 180: Image.Transpose.ROTATE_180,
                          270: Image.Transpose.ROTATE_90}[rot]) if rot else img

def scan(up, stamp, q, fx, rng, nrng, rot, skew, mode, dpi):
    """Print/scan simulation of one upright page; returns the stored image (mode '1', 'L' or 'RGB')."""
    a = np.asarray(up, np.float32)
    a = 255 - (255 - a) * rng.uniform(*q["fade"])
    if fx["lowink"] and rng.random() < 0.5:  # lighter horizontal bands (low toner)
        for _ in range(rng.randint(1, 3)):
            y, h = rng.randrange(a.shape[0]), rng.randint(20, 120)
            a[y:y + h] = 255 - (255 - a[y:y + h]) * 0.55
    img = Image.fromarray(a.clip(0, 255).astype(np.uint8))
    if fx["holes"] and rng.random() < 0.9:
        d, r = ImageDraw.Draw(img), int(0.13 * dpi)
        pts = [(int(0.3 * dpi), int(f * img.height)) for f in (0.14, 0.5, 0.86)] if fx["holes"] == "left3" else \
            [(int(f * img.width), int(0.3 * dpi)) for f in (0.35, 0.65)]
        for x, y in pts:
            d.ellipse([x - r, y - r, x + r, y + r], fill=rng.choice([35, 60, 245]), outline=120, width=3)
    img = geometric(img, skew, rot, 255)
    if q["blur"][1] and (r := rng.uniform(*q["blur"]) * dpi / 300) > 0.15:
        img = img.filter(ImageFilter.GaussianBlur(r))
    a = np.asarray(img, np.float32)
    H, W = a.shape
    ill = rng.uniform(*q["illum"])
    if ill:
        g = np.linspace(0, 1, W if rng.random() < 0.5 else H, dtype=np.float32)
        g = g[None, :] if len(g) == W else g[:, None]
        a *= 1 - ill * (g if rng.random() < 0.5 else 1 - g)
    sh = fx["shadow"]
    if sh:
        w = int(rng.uniform(0.04, 0.2) * dpi)
        ramp = np.linspace(0.45, 1, w, dtype=np.float32)
        if sh in ("left", "both"):
            a[:, :w] *= ramp[None, :]
        if sh in ("right", "both"):
            a[:, W - w:] *= ramp[::-1][None, :]
        if sh == "top":
            a[:w, :] *= ramp[:, None]
    for x, w, dark in fx["streaks"]:
        x = x % W
        a[:, x:x + w] -= dark
    a += nrng.standard_normal(a.shape, dtype=np.float32) * rng.uniform(*q["noise"])
    n = int(rng.uniform(*q["sp"]) * a.size)
    if n:
        ys, xs = nrng.integers(0, H, n), nrng.integers(0, W, n)
        a[ys, xs] = nrng.choice([0.0, 255.0], n)
    if stamp is not None:
        m = np.asarray(geometric(stamp, skew, rot, 0), np.float32) / 255.0 * rng.uniform(0.6, 0.9)
        if mode != "RGB":
            a *= 1 - m * 0.65
    blk, wht = rng.uniform(0, 25), rng.uniform(215, 240)  # scanner levels
    a = ((a - blk) * (255.0 / (wht - blk))).clip(0, 255)
    if mode == "1":
        return Image.fromarray(((a > rng.uniform(*q["thr"])) * 255).astype(np.uint8)).convert("1")
    if mode == "L":
        return Image.fromarray(a.astype(np.uint8))
    paper = np.array([rng.uniform(240, 255), rng.uniform(236, 252), rng.uniform(222, 246)], np.float32) / 255
    rgb = a[..., None] * paper[None, None, :]
    if stamp is not None:
        ink = np.array(rng.choice([(200, 40, 40), (40, 60, 190), (120, 40, 150)]), np.float32) / 255
        rgb *= 1 - m[..., None] * (1 - ink[None, None, :])
    return Image.fromarray(rgb.clip(0, 255).astype(np.uint8), "RGB")

# ----------------------------------------------------------------------------- charts
def pick_rotation(rng, content):
    r = rng.random()
    if content:
        return 180 if r < 0.08 else 90 if r < 0.11 else 270 if r < 0.14 else 0
    return 180 if r < 0.04 else 90 if r < 0.05 else 0

def make_chart(seed, idx, fmt, facilities, out):
    rng = random.Random(f"{seed}:{idx}")
    nrng = np.random.default_rng([seed, idx])
    cid = f"gen{seed}-c{idx:03d}"
    dpi = 200 if rng.random() < 0.25 else 300
    quality = rng.choices(["good", "fair", "poor"], [0.45, 0.35, 0.2])[0]
    color = fmt in ("pdf_jpeg", "jpeg_dir") and rng.random() < 0.4
    mode = "1" if fmt in ("pdf_g4", "tiff_g4") else "RGB" if color else "L"
    p = make_patient(rng)
    chart = dict(patient=p)
    facs = rng.sample(facilities, rng.randint(1, min(3, len(facilities))))
    lo = max(dt.date(1990, 1, 1), p["dob"] + dt.timedelta(days=20))
    anchor = rand_date(rng, lo, dt.date(2025, 12, 31))
    n_docs = rng.randint(2, 6)
    hi = dt.date(2025, 12, 31)
    reflect = lambda d: lo + (lo - d) if d < lo else hi - (d - hi) if d > hi else d
    dates = sorted(max(lo, min(hi, reflect(anchor + dt.timedelta(days=rng.randint(-700, 700))))) for _ in range(n_docs))
    if rng.random() < 0.4:
        dates.reverse()
    types = rng.choices(DOC_TYPES, [10, 12, 9, 8, 9, 6, 8, 8, 7, 6], k=n_docs)
    docseps = rng.random() < 0.5
    # ---- upright pages: (kind, Page or None, doc_index, doc_page)
    seq = [("separator", separator_page(rng, dpi, facs[0], "MRN" + p["mrn"], "separator"), None, None)]
    docs = []
    for i, (t, svc) in enumerate(zip(types, dates)):
        if i and docseps:
            seq.append(("doc_separator", separator_page(rng, dpi, facs[0], "DOCSEP", "doc_separator"), None, None))
        doc = plan_document(t, rng.choice(facs), chart, svc, rng)
        doc["id"] = f"{cid}-d{i + 1:02d}"
        docs.append(doc)
        for k, pg in enumerate(build_document(doc, chart, rng, dpi), 1):
            seq.append(("content", pg, i, k))
    withblanks = []
    for item in seq:
        withblanks.append(item)
        if rng.random() < 0.095:
            withblanks.append(("blank", None, None, None))
    # ---- scan
    q, fx = QUALITY[quality], chart_effects(rng, dpi, quality)
    images, pages, prev = [], [], None
    for n, (kind, pg, di, dp) in enumerate(withblanks, 1):
        rot = pick_rotation(rng, kind == "content")
        skew = round(rng.uniform(-3, 3), 2)
        up = blank_image(prev, rng, nrng, dpi) if kind == "blank" else pg.img
        img = scan(up, pg.stamp if pg else None, q, fx, rng, nrng, rot, skew, mode, dpi)
        prev = up
        rec = dict(page=n, kind=kind)
        if pg is not None and pg.barcode:
            rec["barcode"] = pg.barcode
        if kind == "content":
            rec.update(doc_id=docs[di]["id"], doc_page=dp)
        rec.update(rotation_deg=rot, skew_deg=skew, dpi=dpi, width_px=img.width, height_px=img.height)
        if fmt.endswith("_dir"):
            rec["image"] = f"page_{n:03d}.{'png' if fmt == 'png_dir' else 'jpg'}"
        text = "\n".join(l for l in (pg.lines if pg else []) if l.strip())
        assert text.isascii() and "  " not in text, text
        rec["text"] = text
        pages.append(rec)
        images.append(img)
    file = write_images(out, idx, fmt, images, dpi, rng, q)
    documents = []
    for i, doc in enumerate(docs):
        pn = [r["page"] for r in pages if r.get("doc_id") == doc["id"]]
        documents.append(dict(doc_id=doc["id"], doc_type=doc["type"], service_date=doc["svc"].isoformat(),
                              first_page=pn[0], last_page=pn[-1], page_count=len(pn), title=doc["title"],
                              facility=doc["fac"]["name"], source={"dataset": "synthetic",
                                                                   "generator": f"{GEN} seed {seed}"}))
    minor = any(age_on(p["dob"], d["svc"]) < 18 for d in docs)
    return dict(chart_id=cid, file=file, format=fmt, color=color, scan_quality=quality, page_count=len(pages),
                doc_separators=docseps,
                patient=dict(mrn=p["mrn"], name=f"{p['last'].upper()}, {p['first'].upper()}",
                             dob=p["dob"].isoformat(), sex=p["sex"], minor_at_service=minor),
                pages=pages, documents=documents)

def write_images(out, idx, fmt, images, dpi, rng, q):
    """Write one chart's pages in its format; returns the path relative to `out`."""
    jpeg = lambda im: _bytes(im, "JPEG", quality=rng.randint(*q["jpeg"]), dpi=(dpi, dpi))
    if fmt in ("pdf_jpeg", "pdf_g4"):
        enc = jpeg if fmt == "pdf_jpeg" else lambda im: _bytes(im, "TIFF", compression="group4", dpi=(dpi, dpi))
        rel = f"charts/chart_{idx:03d}.pdf"
        pdf = img2pdf.convert([enc(im) for im in images], nodate=True, engine=img2pdf.Engine.internal)
        (out / rel).write_bytes(pdf)  # internal engine, no dates: byte-identical output per seed
    elif fmt in ("tiff_g4", "tiff_lzw"):
        rel = f"charts/chart_{idx:03d}.tif"
        images[0].save(out / rel, save_all=True, append_images=images[1:], dpi=(dpi, dpi),
                       compression="group4" if fmt == "tiff_g4" else "tiff_lzw")
    else:
        rel = f"charts/chart_{idx:03d}"
        (out / rel).mkdir(parents=True, exist_ok=True)
        for n, im in enumerate(images, 1):
            if fmt == "png_dir":
                im.save(out / rel / f"page_{n:03d}.png", dpi=(dpi, dpi))
            else:
                (out / rel / f"page_{n:03d}.jpg").write_bytes(jpeg(im))
    return rel

def _bytes(im, fmt, **kw):
    buf = io.BytesIO()
    im.save(buf, format=fmt, **kw)
    return buf.getvalue()

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--charts", type=int, default=6)
    ap.add_argument("--min-pages", type=int, default=0, help="keep adding charts until at least this many pages")
    ap.add_argument("--out", type=Path, required=True)
    a = ap.parse_args()
    fams = find_fonts()
    MONO.extend(v[0] for k, v in fams.items() if "Mono" in k)
    (a.out / "charts").mkdir(parents=True, exist_ok=True)
    frng = random.Random(f"{a.seed}:facilities")
    facilities = [make_facility(frng, fams) for _ in range(max(8, a.charts))]
    fmts = []
    charts, total = [], 0
    with open(a.out / "manifest.jsonl", "w") as mf:
        while len(charts) < a.charts or total < a.min_pages:
            if not fmts:
                fmts = FORMATS[:]
                frng.shuffle(fmts)
            c = make_chart(a.seed, len(charts) + 1, fmts.pop(), facilities, a.out)
            mf.write(json.dumps(c) + "\n")
            charts.append(c)
            total += c["page_count"]
            print(f"{c['chart_id']}: {c['format']} {c['page_count']} pages", flush=True)
    write_readme(a, charts)

def write_readme(a, charts):
    kinds = Counter(p["kind"] for c in charts for p in c["pages"])
    types = Counter(d["doc_type"] for c in charts for d in c["documents"])
    fmts = Counter(c["format"] for c in charts)
    cmd = f"python3 tools/{GEN} --seed {a.seed} --charts {a.charts} --out {a.out}" + \
          (f" --min-pages {a.min_pages}" if a.min_pages else "")
    (a.out / "README.md").write_text(
        f"# Synthetic scanned charts (seed {a.seed})\n\nMade by `{cmd}`.\nAll names, MRNs, dates and facilities "
        f"are invented. Manifest format: as the dev corpus README describes.\n\n"
        f"Totals: {len(charts)} charts, {sum(kinds.values())} pages "
        f"({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))}), {sum(types.values())} documents.\n\n"
        f"Formats: {', '.join(f'{k} {v}' for k, v in sorted(fmts.items()))}.\n\n"
        f"Document types: {', '.join(f'{k} {v}' for k, v in sorted(types.items()))}.\n")

if __name__ == "__main__":
    main()
