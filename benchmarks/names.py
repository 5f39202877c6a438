"""Word lists the generator draws package, module and hub names from.

Names avoid standard-library module names so that an absolute import inside a generated
package can never be mistaken for one, and read like the names real projects use.
"""

from __future__ import annotations

#: The root package of every generated project.
ROOT_PACKAGE = "acme"

#: Base modules every other module leans on; more hubs than names get a numeric suffix.
HUB_NAMES = (
    "config", "errors", "types", "text", "clock", "ids", "events", "validation", "serialization",
    "caching", "paths", "registry", "metrics", "retrying", "units", "money", "timeutil", "hashing",
    "localization", "flags", "permissions", "pagination", "sorting", "signals", "settings_base",
    "constants", "naming", "formatting", "conversions", "collections_ext",
)

AREA_NAMES = (
    "billing", "catalog", "shipping", "accounts", "inventory", "orders", "payments", "search",
    "reporting", "notifications", "pricing", "analytics", "auth", "content", "scheduling",
    "messaging", "storage", "workflows", "integrations", "compliance", "support", "marketing",
    "fulfillment", "subscriptions", "identity", "documents", "geography", "audit", "imports",
    "exports", "partners", "tenancy", "forecasting", "procurement", "returns", "reviews",
    "loyalty", "taxes", "ledgers", "media",
)

SUBPACKAGE_NAMES = (
    "api", "models", "services", "storage", "adapters", "domain", "handlers", "views", "tasks",
    "policies", "queries", "commands", "schemas", "backends", "clients", "rules", "jobs",
    "pipelines", "exporters", "importers", "widgets", "forms", "filters", "serializers",
    "validators", "providers", "repositories", "mappers", "events", "hooks", "routing",
    "rendering", "caches", "stores", "drivers", "parsers", "planners", "workers", "gateways",
    "helpers_ext",
)

NOUNS = (
    "invoice", "ledger", "account", "customer", "order", "parcel", "route", "carrier", "product",
    "variant", "price", "discount", "coupon", "cart", "basket", "payment", "refund", "receipt",
    "tax", "rate", "currency", "address", "region", "zone", "warehouse", "shelf", "stock", "batch",
    "supplier", "vendor", "contract", "quote", "report", "chart", "metric", "alert", "message",
    "channel", "template", "document", "page", "section", "asset", "image", "token", "session",
    "profile", "role", "grant", "audit", "event", "schedule", "slot", "booking", "ticket", "queue",
    "task", "job", "step", "rule", "policy", "limit", "quota", "plan", "tier", "bundle", "catalog",
    "category", "tag", "label", "review", "rating", "comment", "thread", "note", "record", "entry",
    "journal", "balance", "transfer", "deposit", "payout", "fee", "charge", "credit", "debit",
    "subscription", "renewal", "trial", "license", "feature", "toggle", "segment", "cohort",
)

SUFFIXES = (
    "", "builder", "parser", "cache", "store", "service", "policy", "mapper", "view", "handler",
    "client", "adapter", "factory", "index", "lookup", "rules", "planner", "loader", "writer",
    "reader", "sync", "filters", "stats", "checks", "forms", "exporter", "importer", "resolver",
    "router", "tracker", "window", "queue", "matcher", "merger", "splitter", "scorer", "ranker",
)

#: Words docstrings are made of, so that modules differ in more than their names.
VERBS = (
    "computes", "tracks", "normalises", "validates", "collects", "renders", "schedules", "merges",
    "indexes", "reconciles", "publishes", "groups", "ranks", "filters", "summarises", "resolves",
)
OBJECTS = (
    "totals", "identifiers", "time windows", "state transitions", "tags", "display strings",
    "lookup tables", "retry budgets", "batches", "audit trails", "price points", "quotas",
)
