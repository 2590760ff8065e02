import pytest

from matkb.stack import StackError, parse_stack, summarize

ROLES = {
    "Li": ["anode"], "LATP": ["electrolyte"], "PB": ["interlayer"], "IL": ["wetting_agent", "interlayer"],
    "LFP": ["cathode"], "PEO": ["interlayer"], "PAN": ["interlayer"],
}


def parse(stack, cell_type="symmetric"):
    return parse_stack(stack, lambda t: t if t in ROLES else None, lambda m: ROLES[m], cell_type)


def test_symmetric_cell_mirrors_coatings_on_both_faces():
    layers = parse("Li/IL@PB@LATP/Li")
    assert [lay.material_id for lay in layers] == ["Li", "IL", "PB", "LATP", "PB", "IL", "Li"]
    assert [lay.role for lay in layers] == ["electrode", "wetting_agent", "interlayer", "electrolyte", "interlayer", "wetting_agent", "electrode"]
    assert summarize(layers) == {"anode_id": "Li", "cathode_id": "Li", "electrolyte_id": "LATP", "interlayer_id": "PB", "wetting_agent_id": "IL"}


def test_full_cell_coats_the_anode_side_only():
    layers = parse("Li/IL@PB@LATP/LFP", "full")
    assert [lay.material_id for lay in layers] == ["Li", "IL", "PB", "LATP", "LFP"]
    assert layers[-1].role == "cathode"


def test_bare_and_wetted_cells_have_no_interlayer():
    assert summarize(parse("Li/LATP/Li"))["interlayer_id"] is None
    s = summarize(parse("Li|IL@LATP|Li"))
    assert s["interlayer_id"] is None and s["wetting_agent_id"] == "IL"


def test_coatings_after_the_electrolyte_face_the_cathode():
    layers = parse("Li/PEO@LATP@PAN/LFP", "full")
    assert [(lay.material_id, lay.side) for lay in layers] == [("Li", "anode"), ("PEO", "anode"), ("LATP", "separator"), ("PAN", "cathode"), ("LFP", "cathode")]


def test_explicit_layers():
    layers = parse("Li/PB/LATP/PB/Li")
    assert [lay.role for lay in layers] == ["electrode", "interlayer", "electrolyte", "interlayer", "electrode"]


@pytest.mark.parametrize(("stack", "fragment"), [
    ("Li/LATP", "at least three layers"),
    ("Li//Li", "at least three layers"),
    ("Li/@LATP/Li", "empty token"),
    ("Li/XYZ@LATP/Li", "layer 'XYZ' is not a known material"),
    ("IL@Li/LATP/Li", "coat the separator"),
])
def test_bad_stacks_name_the_problem(stack, fragment):
    with pytest.raises(StackError) as exc:
        parse(stack)
    assert fragment in str(exc.value)
