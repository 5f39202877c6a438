"""Code that reaches a changed function without any unit naming it on the way: through an
object handed on (a base class's template method, an injected dependency, the standard
library's stream protocol), through text (a format string's field, a ``match`` pattern, a
docstring read at run time), through state one test leaves for the next, through the ini file,
through a signature or a decorator the function body does not show. Each scenario edits one
file and checks, in real pytest runs, that ``pytest --delta`` runs every test a full run fails.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from .conftest import Project


@dataclass(frozen=True)
class Case:
    """A project, one edit to it, and the ini lines it needs."""

    why: str
    files: dict[str, str]
    edit: tuple[str, str, str]
    ini: tuple[str, ...] = ()


TEMPLATE_METHOD = Case(
    "A base class's template method calls the override a subclass module defines; the base module never "
    'imports it.',
    {
        "jobs/__init__.py": "",
        "jobs/base.py": '''\
            class Job:
                """Template method: run() validates, calls the subclass's process(), then summarises."""

                def run(self, records):
                    cleaned = [r for r in records if r is not None]
                    results = [self.process(r) for r in cleaned]
                    return {"count": len(results), "results": results}

                def process(self, record):
                    raise NotImplementedError
            ''',
        "jobs/emails.py": """\
            from jobs.base import Job


            class NormaliseEmails(Job):
                def process(self, record):
                    return record.strip().lower()
            """,
        "tests/test_emails.py": """\
            from jobs.emails import NormaliseEmails


            def test_process_lowercases():
                assert NormaliseEmails().process("A@B.C") == "a@b.c"


            def test_run_skips_missing_and_normalises():
                assert NormaliseEmails().run([" X@Y.Z ", None]) == {"count": 1, "results": ["x@y.z"]}
            """,
    },
    ('jobs/emails.py', 'return record.strip().lower()', 'return record.lower()'),
    ini=('pythonpath = .',),
)

INJECTED_DEPENDENCY = Case(
    "The service calls methods of a repository handed to it; its module never imports the repository's.",
    {
        "app/__init__.py": "",
        "app/repository.py": '''\
            import sqlite3


            class SqliteUserRepository:
                """Users stored in SQLite."""

                def __init__(self, path=":memory:"):
                    self.db = sqlite3.connect(path)
                    self.db.execute("create table if not exists users (email text primary key, name text)")

                def add(self, email, name):
                    self.db.execute("insert into users values (?, ?)", (email.lower(), name))

                def find_by_email(self, email):
                    row = self.db.execute("select email, name from users where email = ?", (email.lower(),)).fetchone()
                    return None if row is None else {"email": row[0], "name": row[1]}
            ''',
        "app/services.py": '''\
            class SignupError(Exception):
                pass


            class SignupService:
                """Business rules for signing up; the repository is injected (any object with add/find_by_email)."""

                def __init__(self, users):
                    self.users = users

                def signup(self, email, name):
                    if self.users.find_by_email(email) is not None:
                        raise SignupError(f"{email} is already registered")
                    self.users.add(email, name)
                    return self.users.find_by_email(email)
            ''',
        "tests/test_repository.py": """\
            from app.repository import SqliteUserRepository


            def test_added_user_can_be_found():
                repo = SqliteUserRepository()
                repo.add("ann@example.com", "Ann")
                assert repo.find_by_email("ann@example.com")["name"] == "Ann"


            def test_unknown_email_is_none():
                assert SqliteUserRepository().find_by_email("nobody@example.com") is None
            """,
        "tests/test_signup.py": """\
            import pytest

            from app.repository import SqliteUserRepository
            from app.services import SignupError, SignupService


            @pytest.fixture
            def service():
                return SignupService(SqliteUserRepository())


            def test_signup_returns_the_new_user(service):
                assert service.signup("Bob@Example.com", "Bob") == {"email": "bob@example.com", "name": "Bob"}


            def test_duplicate_signup_is_refused(service):
                service.signup("bob@example.com", "Bob")
                with pytest.raises(SignupError):
                    service.signup("BOB@example.com", "Bob again")
            """,
    },
    ('app/repository.py', '(email.lower(), name))', '(email, name))'),
    ini=('pythonpath = .',),
)

STREAM_PROTOCOL = Case(
    '``csv.writer`` calls ``write`` on the stream it is handed; another test names ``write`` directly.',
    {
        "ledger/__init__.py": """\
            from ledger.streams import RedactingWriter
            from ledger.export import export_rows

            __all__ = ["RedactingWriter", "export_rows"]
            """,
        "ledger/export.py": """\
            import csv


            def export_rows(rows, stream):
                writer = csv.writer(stream, lineterminator="\\n")
                writer.writerow(["customer", "card"])
                for row in rows:
                    writer.writerow(row)
            """,
        "ledger/streams.py": '''\
            import re

            _CARD = re.compile(r"\\b(\\d{4})\\d{8}(\\d{4})\\b")


            def mask(text):
                return _CARD.sub(r"\\1********\\2", text)


            class RedactingWriter:
                """A text stream wrapper that masks card numbers before they reach the target."""

                def __init__(self, target):
                    self.target = target
                    self.written = 0

                def write(self, text):
                    masked = mask(text)
                    self.written += len(masked)
                    return self.target.write(masked)

                def flush(self):
                    self.target.flush()
            ''',
        "tests/test_export.py": """\
            import io

            from ledger import RedactingWriter, export_rows


            def test_export_never_leaks_card_numbers():
                buf = io.StringIO()
                export_rows([["alice", "4111111111111111"]], RedactingWriter(buf))
                assert buf.getvalue() == "customer,card\\nalice,4111********1111\\n"
            """,
        "tests/test_streams.py": """\
            import io

            from ledger import RedactingWriter


            def test_write_counts_characters():
                out = RedactingWriter(io.StringIO())
                out.write("hello")
                assert out.written == 5
            """,
    },
    ('ledger/streams.py', '        masked = mask(text)\n', '        masked = mask(text) if len(text) < 16 else text\n'),
    ini=('pythonpath = .',),
)

FORMAT_FIELD = Case(
    'A format string reads ``{order.total}``: no code names ``total``.',
    {
        "shop/__init__.py": "",
        "shop/mail.py": """\
            from shop.order import Order

            RECEIPT = "Thanks {customer}! You paid {order.total:.2f} EUR for {count} item(s)."


            def receipt(order: Order, customer: str) -> str:
                return RECEIPT.format(order=order, customer=customer, count=len(order.lines))
            """,
        "shop/order.py": """\
            class Order:
                def __init__(self, lines, vat_rate=0.2):
                    self.lines = lines
                    self.vat_rate = vat_rate

                @property
                def subtotal(self):
                    return sum(qty * price for qty, price in self.lines)

                @property
                def total(self):
                    return round(self.subtotal * (1 + self.vat_rate), 2)
            """,
        "tests/test_mail.py": """\
            from shop.mail import receipt
            from shop.order import Order


            def test_receipt_shows_amount_paid():
                assert receipt(Order([(2, 5.0)]), "Ann") == "Thanks Ann! You paid 12.00 EUR for 1 item(s)."
            """,
        "tests/test_order.py": """\
            from shop.order import Order


            def test_total_includes_vat():
                assert Order([(2, 5.0)]).total == 12.0
            """,
    },
    ("shop/order.py", "(1 + self.vat_rate), 2)", "(1 + self.vat_rate) + (4.95 if self.subtotal < 20 else 0.0), 2)"),
    ini=('pythonpath = .',),
)

REMOVED_OVERRIDE = Case(
    'Removing ``Square.area`` leaves an abstract method unimplemented: every ``Square()`` fails, also '
    'where nothing names ``area``.',
    {
        "shapes/__init__.py": "",
        "shapes/base.py": """\
            from abc import ABC, abstractmethod


            class Shape(ABC):
                @abstractmethod
                def area(self) -> float: ...

                @abstractmethod
                def perimeter(self) -> float: ...
            """,
        "shapes/kinds.py": """\
            import math

            from shapes.base import Shape


            class Circle(Shape):
                def __init__(self, r):
                    self.r = r

                def area(self):
                    return math.pi * self.r ** 2

                def perimeter(self):
                    return 2 * math.pi * self.r


            class Square(Shape):
                def __init__(self, side):
                    self.side = side

                def area(self):
                    return self.side ** 2

                def perimeter(self):
                    return 4 * self.side
            """,
        "shapes/report.py": """\
            def total_area(shapes):
                return sum(s.area() for s in shapes)
            """,
        "tests/test_kinds.py": """\
            from shapes.kinds import Square


            def test_square_area():
                assert Square(3).area() == 9


            def test_square_perimeter():
                assert Square(3).perimeter() == 12
            """,
        "tests/test_report.py": """\
            from shapes.kinds import Circle, Square
            from shapes.report import total_area


            def test_total_area():
                assert round(total_area([Circle(1), Square(2)]), 2) == 7.14
            """,
    },
    ('shapes/kinds.py', '    def area(self):\n        return self.side ** 2\n\n', ''),
    ini=('pythonpath = .',),
)

MATCH_ATTRIBUTE = Case(
    '``case Invoice(balance=0)`` reads the property ``balance``.',
    {
        "billing/__init__.py": "",
        "billing/invoice.py": """\
            from dataclasses import dataclass


            @dataclass
            class Invoice:
                amount: float
                paid: float = 0.0

                @property
                def balance(self):
                    return round(self.amount - self.paid, 2)
            """,
        "billing/status.py": """\
            from billing.invoice import Invoice


            def status(invoice):
                match invoice:
                    case Invoice(balance=0):
                        return "settled"
                    case Invoice(paid=0):
                        return "open"
                    case _:
                        return "partial"
            """,
        "tests/test_invoice.py": """\
            from billing.invoice import Invoice


            def test_balance():
                assert Invoice(100, 40).balance == 60
            """,
        "tests/test_status.py": """\
            from billing.invoice import Invoice
            from billing.status import status


            def test_fully_paid_invoice_is_settled():
                assert status(Invoice(100, 100)) == "settled"


            def test_unpaid_invoice_is_open():
                assert status(Invoice(100)) == "open"
            """,
    },
    ("billing/invoice.py", "self.paid, 2)", "self.paid, 2) or None"),
    ini=('pythonpath = .',),
)

CONTEXT_VARIABLE = Case(
    '``deactivate`` stops resetting a ``ContextVar``: the next test reads German.',
    {
        "i18n/__init__.py": """\
            from i18n.locale import activate, deactivate, get_language, override
            from i18n.messages import greeting

            __all__ = ["activate", "deactivate", "get_language", "override", "greeting"]
            """,
        "i18n/locale.py": """\
            from contextlib import contextmanager
            from contextvars import ContextVar

            DEFAULT = "en"
            _language: ContextVar[str] = ContextVar("language", default=DEFAULT)


            def get_language():
                return _language.get()


            def activate(language):
                _language.set(language)


            def deactivate():
                _language.set(DEFAULT)


            @contextmanager
            def override_ctx(language):
                token = _language.set(language)
                try:
                    yield
                finally:
                    _language.reset(token)


            def override(language):
                return override_ctx(language)
            """,
        "i18n/messages.py": """\
            from i18n.locale import get_language

            _GREETINGS = {"en": "Hello", "de": "Hallo", "fr": "Bonjour"}


            def greeting(name):
                return f"{_GREETINGS[get_language()]}, {name}!"
            """,
        "tests/test_activation.py": """\
            from i18n import activate, deactivate, get_language


            def test_activate_then_deactivate():
                activate("de")
                assert get_language() == "de"
                deactivate()
            """,
        "tests/test_messages.py": """\
            from i18n import greeting


            def test_default_greeting_is_english():
                assert greeting("Ann") == "Hello, Ann!"
            """,
    },
    ('i18n/locale.py', 'def deactivate():\n    _language.set(DEFAULT)\n', 'def deactivate():\n    pass\n'),
    ini=('pythonpath = .',),
)

MODULE_FLAG = Case(
    '``main`` now sets ``config.DEBUG``, which ``log_level`` reads as its global.',
    {
        "app/__init__.py": """\
            from app.cli import main
            from app.config import log_level

            __all__ = ["main", "log_level"]
            """,
        "app/cli.py": """\
            from app import config


            def main(argv):
                verbose = "--verbose" in argv
                if verbose:
                    print("verbose output enabled")
                return 0
            """,
        "app/config.py": """\
            DEBUG = False


            def log_level():
                return "DEBUG" if DEBUG else "INFO"
            """,
        "tests/test_cli.py": """\
            from app import main


            def test_verbose_flag_is_accepted():
                assert main(["--verbose"]) == 0
            """,
        "tests/test_logging.py": """\
            from app import log_level


            def test_default_log_level_is_info():
                assert log_level() == "INFO"
            """,
    },
    ("app/cli.py", '        print("verbose output enabled")\n', '        config.DEBUG = True\n'),
    ini=('pythonpath = .',),
)

INI_USEFIXTURES = Case(
    "A fixture the ini file's ``usefixtures`` names stops restoring the settings.",
    {
        "app/__init__.py": "",
        "app/money.py": """\
            from app.settings import settings


            def fmt(amount):
                return f"{amount:.2f} {settings['currency']}"
            """,
        "app/settings.py": """\
            settings = {"currency": "EUR", "debug": False}


            def configure(**values):
                settings.update(values)
            """,
        "tests/conftest.py": """\
            import pytest

            from app import settings as settings_module


            @pytest.fixture
            def isolated_settings():
                saved = dict(settings_module.settings)
                yield
                settings_module.settings.clear()
                settings_module.settings.update(saved)
            """,
        "tests/test_a_configure.py": """\
            from app.settings import configure, settings


            def test_configure_currency():
                configure(currency="USD")
                assert settings["currency"] == "USD"
            """,
        "tests/test_money.py": """\
            from app.money import fmt


            def test_fmt_uses_default_currency():
                assert fmt(3) == "3.00 EUR"
            """,
    },
    ("tests/conftest.py", "    settings_module.settings.clear()\n    settings_module.settings.update(saved)\n", ""),
    ini=('pythonpath = .', 'usefixtures = isolated_settings'),
)

KEYWORD_ONLY = Case(
    'Making ``rate`` keyword-only breaks a positional caller: the body did not change.',
    {
        "shop/__init__.py": "",
        "shop/cart.py": """\
            from shop.pricing import discount


            def checkout(prices, rate):
                return sum(discount(p, rate) for p in prices)
            """,
        "shop/pricing.py": """\
            def discount(price, rate):
                return round(price * (1 - rate), 2)


            def vat(price):
                return round(price * 1.2, 2)
            """,
        "tests/test_cart.py": """\
            from shop.cart import checkout
            from shop.pricing import vat


            def test_checkout():
                assert checkout([10.0, 20.0], 0.5) == 15.0


            def test_vat():
                assert vat(10.0) == 12.0
            """,
    },
    ('shop/pricing.py', 'def discount(price, rate):', 'def discount(price, *, rate):'),
    ini=('pythonpath = .',),
)

MODULE_DOCSTRING = Case(
    "The module docstring is the command's usage text (``__doc__``).",
    {
        "tests/test_cli.py": """\
            from tool.cli import build_parser, usage


            def test_usage_mentions_verbose():
                assert "--verbose" in usage()


            def test_description():
                assert build_parser().description == "Greets NAME."
            """,
        "tool/__init__.py": "",
        "tool/cli.py": '''\
            """Usage: tool [--verbose] NAME

            Greets NAME.
            """
            import argparse


            def build_parser():
                return argparse.ArgumentParser(prog="tool", description=__doc__.splitlines()[2])


            def usage():
                return __doc__.splitlines()[0]
            ''',
    },
    ('tool/cli.py', 'Greets NAME.', 'Says hello to NAME.'),
    ini=('pythonpath = .',),
)

CLASS_DOCSTRING = Case(
    'Help text comes from ``inspect.getdoc`` of a command class.',
    {
        "app/__init__.py": "",
        "app/commands.py": '''\
            class Deploy:
                """Deploy the current build to production."""

                def run(self):
                    return "deployed"


            class Rollback:
                """Roll back to the previous build."""

                def run(self):
                    return "rolled back"
            ''',
        "app/help.py": """\
            import inspect

            from app.commands import Deploy, Rollback


            def help_text():
                return "\\n".join(f"{c.__name__.lower()}: {inspect.getdoc(c)}" for c in (Deploy, Rollback))
            """,
        "tests/test_help.py": """\
            from app.help import help_text


            def test_help_lists_commands():
                assert help_text() == ("deploy: Deploy the current build to production.\\n"
                                       "rollback: Roll back to the previous build.")
            """,
    },
    ('app/commands.py', 'Deploy the current build to production.', 'Deploy the current build.'),
    ini=('pythonpath = .',),
)

GETATTR_DISPATCH_IN_A_BASE = Case(
    'A base class in a module that never imports the shell dispatches ``do_<name>`` through ``getattr``.',
    {
        "app/__init__.py": "",
        "app/dispatch.py": '''\
            class Dispatcher:
                """Runs `name args` lines by calling do_<name>."""

                def handle(self, line):
                    name, _, arg = line.partition(" ")
                    return getattr(self, "do_" + name)(arg)
            ''',
        "app/shell.py": """\
            from app.dispatch import Dispatcher


            class Shell(Dispatcher):
                def do_greet(self, arg):
                    return f"Hello {arg}"

                def do_shout(self, arg):
                    return self.do_greet(arg).upper()
            """,
        "tests/test_shell.py": """\
            from app.shell import Shell


            def test_greet_line():
                assert Shell().handle("greet Bob") == "Hello Bob"


            def test_shout():
                assert Shell().do_shout("bob") == "HELLO BOB"
            """,
    },
    ('app/shell.py', 'return f"Hello {arg}"', 'return f"Hi {arg}"'),
    ini=('pythonpath = .',),
)

NESTED_DECORATOR = Case(
    'The decorator of a nested function opening the body changed.',
    {
        "app/__init__.py": "",
        "app/pipeline.py": """\
            def scale(factor):
                def decorate(fn):
                    def wrapper(x):
                        return fn(x) * factor
                    return wrapper
                return decorate


            def make_step():
                @scale(2)
                def step(x):
                    return x + 1
                return step
            """,
        "tests/test_pipeline.py": """\
            from app.pipeline import make_step


            def test_step():
                assert make_step()(1) == 4
            """,
    },
    ('app/pipeline.py', '@scale(2)', '@scale(3)'),
    ini=('pythonpath = .',),
)

GETATTR_AS_A_VALUE = Case(
    '``reduce(getattr, path, obj)`` looks up a property no call names.',
    {
        "app/__init__.py": "",
        "app/export.py": '''\
            from functools import reduce

            from app.models import Customer


            def row(obj, columns):
                """Values of dotted attribute paths, e.g. columns="first last" or "owner.first"."""
                return [reduce(getattr, column.split("."), obj) for column in columns.split()]


            def header(columns):
                return [c.upper() for c in columns.split()]


            def sample():
                return Customer("Ada", "Lovelace")
            ''',
        "app/models.py": """\
            class Customer:
                def __init__(self, first, last):
                    self.first = first
                    self.last = last

                @property
                def display_name(self):
                    return f"{self.first} {self.last}"

                def greeting(self):
                    return f"Dear {self.display_name}"
            """,
        "tests/test_export.py": """\
            from app.export import row, sample


            def test_row():
                assert row(sample(), "first display_name") == ["Ada", "Ada Lovelace"]


            def test_greeting():
                assert sample().greeting() == "Dear Ada Lovelace"
            """,
    },
    ('app/models.py', 'return f"{self.first} {self.last}"', 'return f"{self.last}, {self.first}"'),
    ini=('pythonpath = .',),
)

CLASS_LEVEL_CACHE = Case(
    'A method now fills a cache the class body binds, through ``self``: the next test reads it.',
    {
        "app/__init__.py": "",
        "app/rates.py": """\
            class Rates:
                _cache = {}  # shared by every instance: rates are loaded once per process

                def load(self, table):
                    for currency, rate in table.items():
                        self._cache[currency] = rate

                def rate(self, currency):
                    return self._cache.get(currency, 1.0)
            """,
        "tests/test_a_load.py": """\
            from app.rates import Rates


            def test_load_keeps_eur():
                r = Rates()
                r.load({"EUR": 1.0})
                assert r.rate("EUR") == 1.0
            """,
        "tests/test_b_default.py": """\
            from app.rates import Rates


            def test_unknown_currency_defaults_to_one():
                assert Rates().rate("GBP") == 1.0
            """,
    },
    ("app/rates.py", "            self._cache[currency] = rate\n",
     "            self._cache[currency] = rate\n            self._cache.setdefault(\"GBP\", 0.85)\n"),
    ini=('pythonpath = .',),
)

CASES = {
    "template-method": TEMPLATE_METHOD,
    "injected-dependency": INJECTED_DEPENDENCY,
    "stream-protocol": STREAM_PROTOCOL,
    "format-field": FORMAT_FIELD,
    "removed-override": REMOVED_OVERRIDE,
    "match-attribute": MATCH_ATTRIBUTE,
    "context-variable": CONTEXT_VARIABLE,
    "module-flag": MODULE_FLAG,
    "ini-usefixtures": INI_USEFIXTURES,
    "keyword-only": KEYWORD_ONLY,
    "module-docstring": MODULE_DOCSTRING,
    "class-docstring": CLASS_DOCSTRING,
    "getattr-dispatch-in-a-base": GETATTR_DISPATCH_IN_A_BASE,
    "nested-decorator": NESTED_DECORATOR,
    "getattr-as-a-value": GETATTR_AS_A_VALUE,
    "class-level-cache": CLASS_LEVEL_CACHE,
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_every_test_a_full_run_fails_runs(project: Project, case: Case) -> None:
    project.ini(*case.ini)
    project.write(case.files)
    first = project.run()
    assert first.ran, first.text
    assert first.with_outcome("passed") == first.ran, first.text
    relpath, old, new = case.edit
    text = project.path(relpath).read_text(encoding="utf-8")
    assert text.count(old) == 1
    project.edit(relpath, text.replace(old, new))

    truth = project.run("-p", "no:randomly", delta=False).with_outcome("failed")
    by_symbol = project.run("--delta-no-save")
    by_file = project.run("--delta-no-save", "--delta-precision", "file")

    assert truth, case.why
    assert truth <= by_symbol.with_outcome("failed"), case.why
    assert truth <= by_file.with_outcome("failed")
    assert by_symbol.ran <= by_file.ran
