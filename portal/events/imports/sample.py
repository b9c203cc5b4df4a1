"""A participant list shaped like a district office's: the file a newcomer can try the import with, and
the one the tests hold the import to.

`messy_workbook()` makes an XLSX with a merged title row and a subtitle over blank rows, Bangla and
English headers, a serial-number column, genders written `F`, `Female`, `মহিলা`, `নারী`, `M`, `পুরুষ`,
`হিজড়া` and blank, stakeholders written `Govt.`, `GO`, `NGO`, `Returnee migrant`, `Media`…, districts
in old spellings, in Bangla and as upazilas, phone numbers as numbers without the leading zero, as
`8.8017E+12`, in Bangla digits and two in a cell, a name stored as a formula, a district merged down
over three rows, a "Total" row and a signature line, and a second sheet with notes.
`python -m portal.events.imports.sample out.xlsx` writes it.
"""

from __future__ import annotations

import io
import sys

# name, name in Bangla, gender, organisation, designation, stakeholder, district, mobile (as kept in Excel)
PEOPLE: list[tuple[str, str, str, str, str, str, str, object]] = [
    ("Rahima Begum", "রহিমা বেগম", "F", "WARBE Development Foundation", "Field officer", "NGO", "Jessore",
     1711234501),
    ("Md. Karim Uddin", "মোঃ করিম উদ্দিন", "M", "DEMO Jashore", "Assistant director", "Govt.", "যশোর",
     "01711-234502"),
    ("Nasima Akter", "নাসিমা আক্তার", "মহিলা", "Union Parishad", "Member", "Local government", "Jhikargachha",
     8801711234503),
    ("Shahidul Islam", "", "পুরুষ", "", "Returnee (Saudi Arabia)", "Returnee migrant", "Comilla", "০১৭১১২৩৪৫০৪"),
    ("=HYPERLINK(\"mailto:salma@example.org\",\"Salma Khatun\")", "সালমা খাতুন", "Female", "Daily Gramer Kagoj",
     "Reporter", "Media", "Cumilla", "01711234505 / 01811234505"),
    ("Abdul Jabbar", "আব্দুল জব্বার", "Male", "BMET", "Deputy director", "GO", "Chittagong", "+880 1711-234506"),
    ("Joynal Abedin", "জয়নাল আবেদীন", "M", "Migrants' family forum", "Convenor", "Returnee family", "চট্টগ্রাম",
     1711234507),
    ("Rupa Hijra", "রুপা হিজড়া", "হিজড়া", "Bandhu Social Welfare Society", "Outreach worker", "CSO", "Hathazari",
     1711234508),
    ("Fatema Zohra", "ফাতেমা জোহরা", "নারী", "BRAC Migration Programme", "Programme officer", "NGO", "Bogra",
     1711234509),
    ("Anwar Hossain", "আনোয়ার হোসেন", "", "Recruiting agency (RL-1234)", "Owner", "Private sector", "Barisal",
     1711234510),
    ("Momena Khatun", "মোমেনা খাতুন", "f", "Upazila Women Affairs Office", "Officer", "Government", "Savar",
     1711234511),
    ("Rafiqul Islam", "রফিকুল ইসলাম", "Third gender", "Ovibashi Karmi Unnayan Program", "Paralegal", "CSO",
     "Coxs Bazar", 1711234512),
    ("Shirin Sultana", "শিরিন সুলতানা", "F", "Returnee women's group", "Member", "Returnee", "Sylhet",
     1711234513),
    ("Kamal Hossain", "কামাল হোসেন", "Male", "DC Office", "Upazila Nirbahi Officer", "Govt.", "Sylhet",
     1711234514),
]
HEADERS = ["ক্রমিক নং", "Name of Participant", "নাম (বাংলা)", "লিঙ্গ", "Organisation", "Designation",
           "Category", "জেলা", "মোবাইল"]


def messy_workbook(people: list[tuple] | None = None, extra_rows: int = 0) -> bytes:
    """The list as an XLSX (see the module's docstring); `extra_rows` more made-up people for size."""
    from openpyxl import Workbook

    people = list(PEOPLE if people is None else people)
    for n in range(extra_rows):
        people.append((f"Participant {n + 1:05d}", "", "FM"[n % 2], "Union Parishad", "Member", "Govt.",
                       ["Khulna", "যশোর", "Comilla", "Sylhet"][n % 4], 1900000000 + n))
    book = Workbook()
    sheet = book.active
    sheet.title = "Participants"
    sheet["A1"] = "Orientation on safe migration, Jashore District, 12 March 2020"
    sheet.merge_cells("A1:I1")
    sheet["A2"] = "List of participants (Annex 3)"
    sheet.merge_cells("A2:I2")
    header_row = 4
    for column, header in enumerate(HEADERS, start=1):
        sheet.cell(row=header_row, column=column, value=header)
    row = header_row
    for serial, person in enumerate(people, start=1):
        row += 1
        name, name_bn, gender, organisation, designation, stakeholder, district, phone = person
        values = [serial, name, name_bn, gender, organisation, designation, stakeholder, district, phone]
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=row, column=column, value=value)
            if column == 9 and isinstance(value, int) and value > 10**12:
                cell.number_format = "0.00E+00"  # shown as 8.80E+12, as Excel does with long numbers
    if people is PEOPLE or people[: len(PEOPLE)] == PEOPLE:
        # Sylhet written once for the last two people, merged down (the cell under it is empty).
        sheet.cell(row=header_row + len(PEOPLE), column=8, value=None)
        sheet.merge_cells(start_row=header_row + len(PEOPLE) - 1, start_column=8,
                          end_row=header_row + len(PEOPLE), end_column=8)
    sheet.cell(row=row + 1, column=1, value=f"Total: {len(people)}")
    sheet.cell(row=row + 4, column=2, value="Prepared by: Upazila coordinator")
    sheet.cell(row=row + 5, column=2, value="Signature and seal")
    notes = book.create_sheet("Notes")
    notes["A1"] = "Budget code"
    notes["B1"] = "MIG-2020-07"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def messy_csv(encoding: str = "utf-8-sig") -> bytes:
    """The same people as a CSV, with a title line above the header (Latin letters only for cp1252)."""
    lines = ["Orientation on safe migration;;;;", "", "Name;Mobile;District;Gender;Category"]
    for name, _bn, gender, _org, _designation, stakeholder, district, phone in PEOPLE:
        if encoding == "cp1252":
            gender = {"মহিলা": "Female", "পুরুষ": "Male", "হিজড়া": "Hijra", "নারী": "Female"}.get(gender, gender)
            district = {"যশোর": "Jessore", "চট্টগ্রাম": "Chattogram"}.get(district, district)
            phone = "" if isinstance(phone, str) and not phone.isascii() else phone
        lines.append(";".join(str(v) for v in (name.replace(";", ","), phone, district, gender, stakeholder)))
    lines.append("Total;14;;;")
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


if __name__ == "__main__":  # pragma: no cover - writes the sample for people to try
    with open(sys.argv[1] if len(sys.argv) > 1 else "participants-messy.xlsx", "wb") as out:
        out.write(messy_workbook())
