import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { nodeId, testAt } from "../src/testAtCursor";

const SOURCE = `import pytest


def helper():
    return 1


def test_function():
    def inner():
        return 2
    assert inner() == 2


class TestCart:
    @pytest.mark.parametrize("n", [1, 2])
    def test_add(self, n):
        assert n

    def setup_method(self):
        pass

    class TestNested:
        async def test_deep(self):
            x = 1

            assert x
`.split("\n");

function lineOf(text: string): number {
  const index = SOURCE.findIndex((line) => line.includes(text));
  assert.notEqual(index, -1, text);
  return index;
}

describe("test at cursor", () => {
  it("finds a module-level test function, also from a nested helper", () => {
    assert.deepEqual(testAt(SOURCE, lineOf("def test_function")), ["test_function"]);
    assert.deepEqual(testAt(SOURCE, lineOf("return 2")), ["test_function"]);
    assert.deepEqual(testAt(SOURCE, lineOf("assert inner()")), ["test_function"]);
  });

  it("finds methods in test classes, nested classes and async tests, across blank lines", () => {
    assert.deepEqual(testAt(SOURCE, lineOf("assert n")), ["TestCart", "test_add"]);
    assert.deepEqual(testAt(SOURCE, lineOf("@pytest.mark.parametrize")), ["TestCart", "test_add"]);
    assert.deepEqual(testAt(SOURCE, lineOf("            assert x")), ["TestCart", "TestNested", "test_deep"]);
    assert.deepEqual(testAt(SOURCE, lineOf("x = 1") + 1), ["TestCart", "TestNested", "test_deep"]);
  });

  it("runs the whole class from a non-test method, and nothing outside tests", () => {
    assert.deepEqual(testAt(SOURCE, lineOf("pass")), ["TestCart"]);
    assert.equal(testAt(SOURCE, lineOf("return 1")), undefined);
    assert.equal(testAt(SOURCE, lineOf("import pytest")), undefined);
  });

  it("builds POSIX node ids", () => {
    assert.equal(nodeId("tests\\unit\\test_cart.py", ["TestCart", "test_add"]), "tests/unit/test_cart.py::TestCart::test_add");
  });
});
