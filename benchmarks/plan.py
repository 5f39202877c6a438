"""The plan of a synthetic repository: every file, its kind and exactly what it imports.

The plan is the generator's own knowledge of the import graph. The files are rendered from it
(:mod:`benchmarks.render`) and the expected selections are computed from it
(:mod:`benchmarks.truth`), never from what an import parser finds in the rendered text, so the
benchmark checks the engine against an independent answer.

Everything is drawn from one ``random.Random`` seeded by the size and the seed, and nothing
iterates over a set of strings, so the same size gives the same plan in every process.
"""

from __future__ import annotations

import functools
import math
import random
from dataclasses import dataclass, field

from .names import AREA_NAMES, HUB_NAMES, NOUNS, OBJECTS, ROOT_PACKAGE, SUBPACKAGE_NAMES, SUFFIXES, VERBS

DEFAULT_SEED = 20_000
#: The smallest repository that still has every kind of file and import.
MIN_FILES = 100
TESTS_PER_FILE = 5
#: Hubs that ``acme/core/__init__.py`` re-exports, so ``from acme.core import ConfigRecord`` works.
REEXPORTED_HUBS = ("config", "errors")

# Where an import stands decides whether it runs: TYPE_CHECKING imports never do.
MODULE_LEVEL = "module"
FUNCTION_LEVEL = "function"
TYPE_CHECKING_BLOCK = "type_checking"
IMPORTLIB_CALL = "importlib"


@dataclass(frozen=True)
class Import:
    """One import statement (or ``importlib.import_module`` call) of a generated file.

    ``target`` is the file the statement loads (a module, or a package ``__init__.py`` for a
    name re-exported by a package). ``style`` is the spelling; ``binding`` the local name of a
    module binding, or empty when the statement imports names.
    """

    target: str
    module: str
    style: str
    binding: str
    where: str
    #: The ``from`` part written in the statement (absolute dotted or relative ``..pkg``).
    source: str = ""
    names: tuple[str, ...] = ()

    def call_prefix(self) -> str | None:
        """How code of the importing module reaches the target's functions, or None if it cannot."""
        if self.style in ("import",):
            return self.module + "."
        if self.style in ("import_as", "from_pkg", "rel_pkg"):
            return self.binding + "."
        if self.style in ("from_names", "rel_names"):
            return ""
        return None


@dataclass(frozen=True)
class SourceModule:
    path: str
    dotted: str
    package: str
    basename: str
    ident: str
    #: "hub", "mid", "api", "leaf" or "plugin".
    kind: str
    rank: int
    factor: int
    offset: int
    summary: str
    imports: tuple[Import, ...] = ()
    blocks: tuple[str, ...] = ()
    target_lines: int = 150

    @property
    def class_name(self) -> str:
        return "".join(part.capitalize() for part in self.ident.split("_")) + "Record"

    @property
    def registry_name(self) -> str:
        return self.class_name.removesuffix("Record") + "Registry"

    def scale(self, value: int) -> int:
        return value * self.factor + self.offset


@dataclass(frozen=True)
class PackageInit:
    path: str
    dotted: str
    summary: str
    imports: tuple[Import, ...] = ()


@dataclass(frozen=True)
class TestModule:
    path: str
    subject: str
    #: Spelling of the subject's import: "from_pkg", "import_as", "import" or "from_names".
    subject_style: str
    use_factories: bool
    use_asserts: bool
    use_patch: bool
    #: "settings", "normalize", "lazy", "plugin", "adopt" or "inline_import".
    variant: str
    #: A second module imported at module level (path), or "".
    second: str = ""
    #: A module imported inside a test function (path), or "".
    inline: str = ""


@dataclass(frozen=True)
class Conftest:
    path: str
    fixture: str
    #: Modules it imports (paths); the root one imports the config hub.
    imports: tuple[str, ...] = ()


@dataclass(frozen=True)
class Plan:
    files: int
    seed: int
    modules: dict[str, SourceModule]
    inits: dict[str, PackageInit]
    tests: dict[str, TestModule]
    test_inits: tuple[str, ...]
    conftests: dict[str, Conftest]
    #: Helper modules under tests/ (path -> paths they import).
    helpers: dict[str, tuple[str, ...]]
    by_dotted: dict[str, str] = field(default_factory=dict)

    def all_paths(self) -> list[str]:
        paths = [*self.modules, *self.inits, *self.tests, *self.test_inits, *self.conftests, *self.helpers]
        return sorted(paths)

    def module(self, path: str) -> SourceModule:
        return self.modules[path]


def _dotted_to_path(dotted: str, package: bool = False) -> str:
    base = "src/" + dotted.replace(".", "/")
    return base + "/__init__.py" if package else base + ".py"


@dataclass
class _Package:
    dotted: str
    area: str
    parent: str | None
    order: int
    children: list[str] = field(default_factory=list)
    modules: list[str] = field(default_factory=list)


class _Builder:
    """Draws the plan; mutable while building, the result is a frozen :class:`Plan`."""

    def __init__(self, files: int, seed: int) -> None:
        if files < MIN_FILES:
            raise ValueError(f"at least {MIN_FILES} files are needed, not {files}")
        self.files = files
        self.seed = seed
        self.rng = random.Random(f"pytest-delta-benchmark/{seed}/{files}")
        self.packages: dict[str, _Package] = {}
        self.modules: dict[str, SourceModule] = {}
        self.idents: set[str] = set()

    # -- packages ----------------------------------------------------------------------------

    def build_packages(self, n_source: int) -> int:
        rng = self.rng
        n_packages = max(4, round(n_source / 15))
        n_areas = min(len(AREA_NAMES) + 2, max(3, round(math.sqrt(n_packages) * 0.8)))
        n_packages = max(n_packages, n_areas)
        domain_areas = rng.sample(AREA_NAMES, n_areas - 2)
        budgets = dict.fromkeys(domain_areas, 0)
        for _ in range(n_packages - n_areas):
            budgets[rng.choice(domain_areas)] += 1
        self._add_package(f"{ROOT_PACKAGE}.core", "core", None)
        self._add_package(f"{ROOT_PACKAGE}.plugins", "plugins", None)
        for area in domain_areas:
            area_dotted = f"{ROOT_PACKAGE}.{area}"
            self._add_package(area_dotted, area, None)
            budget = budgets[area]
            n_subs = min(budget, max(1, round(math.sqrt(budget)))) if budget else 0
            sub_names = self._unique_names(SUBPACKAGE_NAMES, n_subs)
            subs = [f"{area_dotted}.{name}" for name in sub_names]
            nested: dict[str, int] = dict.fromkeys(subs, 0)
            for _ in range(budget - n_subs):
                nested[rng.choice(subs)] += 1
            for sub in subs:
                self._add_package(sub, area, area_dotted)
                leaf_name = sub.rpartition(".")[2]
                names = self._unique_names([n for n in SUBPACKAGE_NAMES if n != leaf_name], nested[sub])
                for name in names:
                    self._add_package(f"{sub}.{name}", area, sub)
        return len(self.packages)

    def _unique_names(self, pool: tuple[str, ...] | list[str], count: int) -> list[str]:
        names = list(self.rng.sample(list(pool), min(count, len(pool))))
        round_ = 2
        while len(names) < count:
            names.extend(f"{n}{round_}" for n in self.rng.sample(list(pool), min(count - len(names), len(pool))))
            round_ += 1
        return names

    def _add_package(self, dotted: str, area: str, parent: str | None) -> None:
        self.packages[dotted] = _Package(dotted, area, parent, len(self.packages))
        if parent is not None:
            self.packages[parent].children.append(dotted)

    # -- modules -----------------------------------------------------------------------------

    def build_modules(self, n_modules: int) -> None:
        rng = self.rng
        n_hubs = min(len(HUB_NAMES), max(4, round(n_modules * 0.003)))
        n_plugins = min(40, max(2, round(n_modules * 0.005)))
        domain = [p for p in self.packages.values() if p.area not in ("core", "plugins")]
        counts = {p.dotted: 2 for p in domain}
        rest = n_modules - n_hubs - n_plugins - 2 * len(domain)
        if rest < 0:
            raise ValueError(f"{self.files} files are too few for {len(domain)} packages")
        for _ in range(rest):
            counts[rng.choice(domain).dotted] += 1
        order: list[tuple[str, str, str]] = []  # (package, basename, kind) in rank order
        order += [(f"{ROOT_PACKAGE}.core", name, "hub") for name in HUB_NAMES[:n_hubs]]
        plugin_names = self._module_names(f"{ROOT_PACKAGE}.plugins", n_plugins)
        order += [(f"{ROOT_PACKAGE}.plugins", name, "plugin") for name in plugin_names]
        for package in sorted(domain, key=lambda p: p.order):
            n = counts[package.dotted]
            names = self._module_names(package.dotted, n)
            n_leaves = math.floor(0.45 * n)
            n_mids = n - 1 - n_leaves
            kinds = ["mid"] * n_mids + ["api"] + ["leaf"] * n_leaves
            order += [(package.dotted, name, kind) for name, kind in zip(names, kinds, strict=False)]
        for rank, (package_name, basename, kind) in enumerate(order):
            ident = basename
            suffix = 2
            while ident in self.idents:
                ident = f"{basename}{suffix}"
                suffix += 1
            self.idents.add(ident)
            dotted = f"{package_name}.{basename}"
            summary = f"{rng.choice(VERBS).capitalize()} {rng.choice(OBJECTS)} for {basename.replace('_', ' ')}"
            module = SourceModule(
                path=_dotted_to_path(dotted), dotted=dotted, package=package_name, basename=basename, ident=ident,
                kind=kind, rank=rank, factor=rng.randint(2, 9), offset=rng.randint(0, 20), summary=summary,
                target_lines=rng.randint(130, 170),
            )
            self.modules[module.path] = module
            self.packages[package_name].modules.append(module.path)

    def _module_names(self, package: str, count: int) -> list[str]:
        children = {c.rpartition(".")[2] for c in self.packages[package].children}
        names: list[str] = []
        seen: set[str] = set()
        attempts = 0
        while len(names) < count:
            noun = self.rng.choice(NOUNS)
            suffix = self.rng.choice(SUFFIXES)
            name = f"{noun}_{suffix}" if suffix else noun
            attempts += 1
            if attempts > 50 * count:
                name = f"{name}_{len(names)}"
            if name in seen or name in children:
                continue
            seen.add(name)
            names.append(name)
        return names

    # -- imports -----------------------------------------------------------------------------

    def _spell(self, importer: SourceModule, target: SourceModule, where: str, used: set[str]) -> Import:
        rng = self.rng
        same = importer.package == target.package
        relative = _relative_source(importer.package, target.package)
        if where == FUNCTION_LEVEL:
            styles = ["from_pkg", "import_as"] + (["rel_pkg"] if relative else [])
            style = rng.choice(styles)
            return self._import(importer, target, style, "_" + target.basename, where, relative)
        if where == TYPE_CHECKING_BLOCK:
            style = "rel_names" if relative and rng.random() < 0.4 else "from_names"
            return self._import(importer, target, style, "", where, relative, names=(target.class_name,))
        if same:
            weights = {"rel_pkg": 35, "rel_names": 20, "from_pkg": 20, "from_names": 10, "import_as": 10, "import": 5}
        else:
            weights = {"from_pkg": 35, "from_names": 20, "import": 10, "import_as": 10}
            if relative:
                weights.update({"rel_pkg": 15, "rel_names": 10})
        styles = list(weights)
        style = rng.choices(styles, weights=[weights[s] for s in styles])[0]
        if style in ("from_names", "rel_names"):
            return self._import(importer, target, style, "", where, relative, names=(f"scale_{target.ident}",))
        binding = ""
        if style != "import":
            parent = target.package.rpartition(".")[2]
            for candidate in (target.basename, f"{parent}_{target.basename}", f"{target.ident}_module"):
                if candidate not in used:
                    binding = candidate
                    break
            used.add(binding)
        return self._import(importer, target, style, binding, where, relative)

    def _import(self, importer: SourceModule, target: SourceModule, style: str, binding: str, where: str,
                relative: str | None, names: tuple[str, ...] = ()) -> Import:
        if style in ("rel_pkg", "rel_names"):
            assert relative is not None
            source = relative if style == "rel_pkg" else _join_relative(relative, target.basename)
        elif style == "from_pkg":
            source = target.package
        else:
            source = target.dotted
        return Import(target.path, target.dotted, style, binding, where, source, names)

    def build_imports(self) -> None:
        rng = self.rng
        hubs = [m for m in self.modules.values() if m.kind == "hub"]
        plugins = [m for m in self.modules.values() if m.kind == "plugin"]
        hub_weights = [1.0 / (i + 1) for i in range(len(hubs))]
        non_leaf = [m for m in self.modules.values() if m.kind in ("mid", "api", "plugin")]
        done: dict[str, SourceModule] = {}
        for module in sorted(self.modules.values(), key=lambda m: m.rank):
            used: set[str] = set()
            targets: dict[str, tuple[SourceModule, str]] = {}
            add = functools.partial(_add_target, targets, module)
            if module.kind == "hub":
                earlier = [h for h in hubs if h.rank < module.rank]
                for hub in rng.sample(earlier, min(len(earlier), rng.randint(0, 2))):
                    add(hub, MODULE_LEVEL)
            elif module.kind == "plugin":
                for hub in _weighted_sample(rng, hubs, hub_weights, rng.randint(1, 2)):
                    add(hub, MODULE_LEVEL)
            else:
                count = rng.choices([1, 2, 3], weights=[45, 40, 15])[0]
                for hub in _weighted_sample(rng, hubs, hub_weights, count):
                    add(hub, MODULE_LEVEL)
                package = self.packages[module.package]
                siblings = [done[p] for p in package.modules if p in done and done[p].kind in ("mid", "api")]
                if module.kind == "mid":
                    k = rng.choice([0, 1, 1, 2])
                elif module.kind == "api":
                    k = rng.randint(2, 4)
                else:
                    k = rng.randint(1, 3)
                for sibling in rng.sample(siblings, min(k, len(siblings))):
                    add(sibling, MODULE_LEVEL)
                if package.parent is not None and rng.random() < 0.1:
                    parent_mods = [self.modules[p] for p in self.packages[package.parent].modules
                                   if self.modules[p].kind in ("mid", "api")]
                    if parent_mods:
                        add(rng.choice(parent_mods), MODULE_LEVEL)
                cross = {"mid": 0.08, "api": 0.3, "leaf": 0.4}[module.kind]
                if rng.random() < cross:
                    api = self._cross_api(package)
                    if api is not None:
                        add(api, MODULE_LEVEL)
                lazy = self._lazy_target(module, non_leaf)
                if lazy is not None:
                    add(lazy, FUNCTION_LEVEL)
                if rng.random() < 0.3:
                    add(rng.choice(non_leaf), TYPE_CHECKING_BLOCK)
                if plugins and rng.random() < 0.06:
                    add(rng.choice(plugins), IMPORTLIB_CALL)
            imports = []
            for target, where in targets.values():
                if where == IMPORTLIB_CALL:
                    imports.append(Import(target.path, target.dotted, "importlib", "", where, target.dotted))
                elif (where == MODULE_LEVEL and target.kind == "hub" and target.basename in REEXPORTED_HUBS
                      and module.package != f"{ROOT_PACKAGE}.core" and rng.random() < 0.3):
                    package_init = _dotted_to_path(target.package, package=True)
                    imports.append(Import(package_init, target.package, "reexport", "", where, target.package,
                                          (target.class_name,)))
                else:
                    imports.append(self._spell(module, target, where, used))
            module = _replace_module(module, imports=tuple(imports), blocks=self._blocks())
            self.modules[module.path] = module
            done[module.path] = module

    def _lazy_target(self, module: SourceModule, non_leaf: list[SourceModule]) -> SourceModule | None:
        """A module imported inside a function: usually a lower one of the same area (an import
        deferred for start-up time), rarely any module at all (one that would be circular)."""
        rng = self.rng
        roll = rng.random()
        if roll > 0.12:
            return None
        package = self.packages[module.package]
        same_package = [self.modules[p] for p in package.modules
                        if p != module.path and self.modules[p].kind in ("mid", "api")]
        if roll < 0.02:
            return rng.choice(same_package) if same_package else None
        same_package = [m for m in same_package if m.rank < module.rank]
        area = module.package.split(".")[1]
        same_area = [m for m in non_leaf if m.rank < module.rank and m.package.split(".")[1] == area]
        pool = same_package if same_package and rng.random() < 0.6 else same_area
        return rng.choice(pool) if pool else None

    def _cross_api(self, package: _Package) -> SourceModule | None:
        lower = [p for p in self.packages.values()
                 if p.order < package.order and p.dotted != package.parent and p.area not in ("core", "plugins")]
        if not lower:
            return None
        same_area = [p for p in lower if p.area == package.area]
        pool = same_area if same_area and self.rng.random() < 0.85 else lower
        target_package = self.rng.choice(pool)
        apis = [self.modules[p] for p in target_package.modules if self.modules[p].kind == "api"]
        return apis[0] if apis else None

    def _blocks(self) -> tuple[str, ...]:
        from .render import FILLER_BLOCKS

        names = sorted(FILLER_BLOCKS)
        self.rng.shuffle(names)
        return tuple(names)

    # -- package __init__ files ----------------------------------------------------------------

    def build_inits(self) -> dict[str, PackageInit]:
        rng = self.rng
        inits: dict[str, PackageInit] = {}
        root_path = _dotted_to_path(ROOT_PACKAGE, package=True)
        inits[root_path] = PackageInit(root_path, ROOT_PACKAGE, "The acme application.")
        for package in sorted(self.packages.values(), key=lambda p: p.order):
            path = _dotted_to_path(package.dotted, package=True)
            imports: tuple[Import, ...] = ()
            if package.dotted == f"{ROOT_PACKAGE}.core":
                hubs = [self.modules[p] for p in package.modules if self.modules[p].basename in REEXPORTED_HUBS]
                imports = tuple(Import(h.path, h.dotted, "rel_names", "", MODULE_LEVEL, "." + h.basename,
                                       (h.class_name,)) for h in hubs)
            elif package.parent is None and package.children and rng.random() < 0.35:
                child = self.packages[rng.choice(package.children)]
                apis = [self.modules[p] for p in child.modules if self.modules[p].kind == "api"]
                if apis:
                    api = apis[0]
                    source = "." + child.dotted.rpartition(".")[2] + "." + api.basename
                    imports = (Import(api.path, api.dotted, "rel_names", "", MODULE_LEVEL, source,
                                      (api.class_name,)),)
            words = package.dotted.rpartition(".")[2].replace("_", " ")
            inits[path] = PackageInit(path, package.dotted, f"The {words} package.", imports)
        return inits

    # -- tests ---------------------------------------------------------------------------------

    def build_tests(self, n_test_side: int) -> tuple[dict[str, TestModule], tuple[str, ...],
                                                     dict[str, Conftest], dict[str, tuple[str, ...]]]:
        rng = self.rng
        hub_paths = {m.basename: m.path for m in self.modules.values() if m.kind == "hub"}
        helpers = {
            "tests/helpers/__init__.py": (),
            "tests/helpers/factories.py": (),
            "tests/helpers/asserts.py": (hub_paths["errors"],),
        }
        dirs: dict[str, list[SourceModule]] = {}
        for module in sorted(self.modules.values(), key=lambda m: m.rank):
            dirs.setdefault(_test_dir(module.package), []).append(module)
        area_dirs = sorted({d.split("/")[1] for d in dirs})
        all_dirs = sorted({*dirs, *(f"tests/{a}" for a in area_dirs)})
        test_inits = ("tests/__init__.py", *(f"{d}/__init__.py" for d in all_dirs))
        conftests: dict[str, Conftest] = {
            "tests/conftest.py": Conftest("tests/conftest.py", "settings", (hub_paths["config"],)),
        }
        for area in area_dirs:
            imports: tuple[str, ...] = ()
            area_apis = [m for m in self.modules.values()
                         if m.kind == "api" and m.package.split(".")[1] == area]
            if area_apis and rng.random() < 0.5:
                imports = (min(area_apis, key=lambda m: m.rank).path,)
            path = f"tests/{area}/conftest.py"
            conftests[path] = Conftest(path, f"{area}_label", imports)
        support = len(helpers) + len(test_inits) + len(conftests)
        n_tests = n_test_side - support
        if n_tests < len(dirs):
            raise ValueError(f"{self.files} files are too few for {len(dirs)} test directories")
        subjects = self._subjects(dirs, n_tests)
        non_leaf = [m for m in self.modules.values() if m.kind in ("mid", "api", "plugin", "hub")]
        tests: dict[str, TestModule] = {}
        for subject in subjects:
            path = f"{_test_dir(subject.package)}/test_{subject.ident}.py"
            variants = ["settings", "normalize", "inline_import"]
            if any(i.where == FUNCTION_LEVEL for i in subject.imports):
                variants += ["lazy", "lazy"]
            if any(i.where == IMPORTLIB_CALL for i in subject.imports):
                variants += ["plugin", "plugin", "plugin"]
            if any(i.where == TYPE_CHECKING_BLOCK for i in subject.imports):
                variants += ["adopt", "adopt"]
            variant = rng.choice(variants)
            second = rng.choice(non_leaf).path if rng.random() < 0.1 else ""
            if second == subject.path:
                second = ""
            inline = ""
            if variant == "inline_import":
                inline = rng.choice(non_leaf).path
                if inline in (subject.path, second):
                    variant, inline = "normalize", ""
            style = rng.choices(["from_pkg", "import_as", "import", "from_names"], weights=[45, 15, 10, 30])[0]
            tests[path] = TestModule(
                path=path, subject=subject.path, subject_style=style, use_factories=rng.random() < 0.5,
                use_asserts=rng.random() < 0.3, use_patch=rng.random() < 0.15, variant=variant,
                second=second, inline=inline,
            )
        return tests, test_inits, conftests, helpers

    def _subjects(self, dirs: dict[str, list[SourceModule]], n_tests: int) -> list[SourceModule]:
        rng = self.rng
        picked: dict[str, SourceModule] = {}
        for directory in sorted(dirs):
            modules = dirs[directory]
            leaves = [m for m in modules if m.kind == "leaf"]
            choice = rng.choice(leaves or modules)
            picked[choice.path] = choice
        hubs = [m for m in self.modules.values() if m.kind == "hub"]
        for hub in hubs:
            if len(picked) < n_tests:
                picked[hub.path] = hub
        leaves = [m for m in self.modules.values() if m.kind == "leaf" and m.path not in picked]
        others = [m for m in self.modules.values() if m.kind != "leaf" and m.path not in picked]
        rng.shuffle(leaves)
        rng.shuffle(others)
        want_leaves = max(0, round(n_tests * 0.7) - sum(1 for m in picked.values() if m.kind == "leaf"))
        for module in leaves[:want_leaves]:
            if len(picked) < n_tests:
                picked[module.path] = module
        for module in [*others, *leaves[want_leaves:]]:
            if len(picked) >= n_tests:
                break
            picked[module.path] = module
        return sorted(picked.values(), key=lambda m: m.rank)


def _test_dir(package: str) -> str:
    parts = package.split(".")[1:3]
    return "tests/" + "/".join(parts)


def _relative_source(importer_package: str, target_package: str) -> str | None:
    """The ``from`` part of a relative import of a module of ``target_package``, or None when
    it would climb more than three levels."""
    own = importer_package.split(".")
    target = target_package.split(".")
    common = 0
    while common < min(len(own), len(target)) and own[common] == target[common]:
        common += 1
    if common == 0:
        return None
    level = len(own) - common + 1
    if level > 3:
        return None
    return "." * level + ".".join(target[common:])


def _join_relative(source: str, name: str) -> str:
    return source + name if source.endswith(".") else f"{source}.{name}"


def _add_target(targets: dict[str, tuple[SourceModule, str]], importer: SourceModule, target: SourceModule,
                where: str) -> None:
    """Record an import of ``target``; the first one of a module wins, a module never imports itself."""
    if target.path != importer.path and target.path not in targets:
        targets[target.path] = (target, where)


def _weighted_sample(rng: random.Random, items: list[SourceModule], weights: list[float],
                     count: int) -> list[SourceModule]:
    chosen: list[SourceModule] = []
    pool = list(zip(items, weights, strict=False))
    for _ in range(min(count, len(pool))):
        pick = rng.choices(range(len(pool)), weights=[w for _, w in pool])[0]
        chosen.append(pool.pop(pick)[0])
    return chosen


def _replace_module(module: SourceModule, **changes: object) -> SourceModule:
    from dataclasses import replace

    return replace(module, **changes)  # type: ignore[arg-type]


def build_plan(files: int, seed: int = DEFAULT_SEED) -> Plan:
    """The plan of a repository of exactly ``files`` ``.py`` files, a quarter of them under tests/."""
    builder = _Builder(files, seed)
    n_test_side = files // 4
    n_source = files - n_test_side
    n_packages = builder.build_packages(n_source)
    builder.build_modules(n_source - 1 - n_packages)
    builder.build_imports()
    inits = builder.build_inits()
    tests, test_inits, conftests, helpers = builder.build_tests(n_test_side)
    plan = Plan(files, seed, builder.modules, inits, tests, test_inits, conftests, helpers,
                by_dotted={m.dotted: m.path for m in builder.modules.values()})
    total = len(plan.all_paths())
    if total != files:
        raise AssertionError(f"planned {total} files instead of {files}")
    return plan
