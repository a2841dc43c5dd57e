"""QPV codes of both generations, as printed and as text layers and OCR damage them."""

from __future__ import annotations

import pytest

from extractors.qpv_codes import code_department, find_codes, normalise_code, validate_code


def _codes(text: str) -> list[str]:
    return [m.code for m in find_codes(text)]


@pytest.mark.parametrize(
    ("written", "code", "repaired"),
    [
        ("QP062016", "QP062016", False),
        ("QP 062016", "QP062016", True),  # space after the prefix
        ("QPO62027", "QP062027", True),  # letter O for zero
        ("OP062029", "QP062029", True),  # O for Q
        ("QP06201 6", "QP062016", True),  # space inside the digits
        ("qp062016", "QP062016", True),  # lower case
        ("QP06201l", "QP062011", True),  # l for 1
        ("QP0I3001", "QP013001", True),  # I for 1
        ("QN05953M", "QN05953M", False),  # 2024 generation, letter suffix
        ("QN 05953M", "QN05953M", True),
        ("QNO5953M", "QN05953M", True),
        ("QP02A001", "QP02A001", False),  # Corsica
        ("QN02B01M", "QN02B01M", False),
        ("QP971005", "QP971005", False),  # overseas
    ],
)
def test_codes_are_found_and_repaired(written, code, repaired):
    text = f"Le quartier ({written}) est concerné."
    [m] = find_codes(text)
    assert (m.code, m.repaired, m.raw) == (code, repaired, written)
    assert text[m.start : m.end] == written


@pytest.mark.parametrize(
    "text",
    [
        "Les QPV du territoire",
        "le programme QP2024 et les QPV2024",
        "Tél. 03 21 62 00 16",
        "référence QP0620161",  # a longer number
        "dossier AQP062016 ou TOP062029",  # inside a word
        "QP062016A",  # followed by a letter
        "OP 062016",  # a damaged prefix must be a solid token
        "QN059531",  # 2024 codes end with a letter
        "QP096001 QP000001 QP062000",  # no such department / number
        "QP975001",  # no QPV in Saint-Pierre-et-Miquelon
        "QPOOIIOI",  # letters only: a word, not a code
    ],
)
def test_no_false_positive(text):
    assert _codes(text) == []


def test_several_codes_in_order_with_spans():
    text = "**QP062024 QP062025** et Cité 2 : QPO62026 ; puis QN06201M."
    found = find_codes(text)
    assert [m.code for m in found] == ["QP062024", "QP062025", "QP062026", "QN06201M"]
    assert all(text[m.start : m.end] == m.raw for m in found)


def test_a_digit_after_a_spaced_code_is_not_swallowed():
    assert _codes("QP06201 62 logements") == []
    assert _codes("QP062016 2015") == ["QP062016"]


def test_validate_code_and_department():
    assert validate_code("QP062016")
    assert validate_code("QP062016", "62")
    assert validate_code("QP062016", "062")
    assert not validate_code("QP062016", "59")
    assert validate_code("QN05953M", "59")
    assert validate_code("QP02A001", "2A")
    assert validate_code("QP971005", "971")
    assert not validate_code("QP020001")  # Corsica is 02A/02B
    assert not validate_code("QN059531")
    assert not validate_code("QX062016")


def test_normalise_code():
    assert normalise_code("QPO62027") == "QP062027"
    assert normalise_code("op062029") == "QP062029"
    assert normalise_code("QP 06201 6") == "QP062016"
    assert normalise_code("QPV") is None
    assert normalise_code("QP0620") is None


def test_code_department():
    assert code_department("QP062016") == "62"
    assert code_department("QN05953M") == "59"
    assert code_department("QP02A001") == "2A"
    assert code_department("QP971005") == "971"


@pytest.mark.parametrize(
    ("cell", "code", "raw"),
    [
        ("QPO59012\tLe Pile\tRoubaix", "QP059012", "QPO59012"),  # O for zero, TAB after
        ("|QP059020|", "QP059020", "QP059020"),  # the cell's rules read as bars
        ("QP059031 .\tCité du 10", "QP059031", "QP059031"),  # a speck read as a stop
        (":QP059040;", "QP059040", "QP059040"),
        ("QP05905l\tLes Hauts", "QP059051", "QP05905l"),  # l for 1 in the last digit
    ],
)
def test_codes_in_ocr_table_cells(cell, code, raw):
    [m] = find_codes(cell)
    assert (m.code, m.raw) == (code, raw)
    assert cell[m.start : m.end] == raw
