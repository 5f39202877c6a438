import pytest

from hookapp.loader import EXPORTERS, export, exporters, load

ROWS = [{"id": 1, "name": "kettle"}, {"id": 2, "name": "mug"}]


def test_every_listed_exporter_loads():
    assert sorted(exporters()) == ["csv", "json", "json-pretty"]
    assert len(EXPORTERS) == 3


def test_csv_export():
    assert export("csv", ROWS) == "id,name\n1,kettle\n2,mug"
    assert export("csv", []) == ""


def test_json_export():
    assert export("json", ROWS[:1]) == '[{"id": 1, "name": "kettle"}]'


def test_pretty_json_export():
    assert export("json-pretty", ROWS[:1]).splitlines()[1] == "  {"


def test_loading_a_missing_attribute_fails():
    with pytest.raises(AttributeError):
        load("hookapp.plugins.csv_export:Missing")
