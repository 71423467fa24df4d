"""The full-text index: FTS5 on SQLite, a weighted tsvector column with a GIN index on PostgreSQL.

Both index the pre-segmented columns (title_tokens, keyword_tokens, body_tokens): jieba words,
pinyin and pinyin initials joined by spaces, so the database's simple tokenizer splits them right.
"""

from django.db import migrations

SQLITE_UP = [
    "CREATE VIRTUAL TABLE kb_article_fts USING fts5(title_tokens, keyword_tokens, body_tokens, "
    "content='kb_article', content_rowid='id')",
    "CREATE TRIGGER kb_article_fts_ai AFTER INSERT ON kb_article BEGIN "
    "INSERT INTO kb_article_fts(rowid, title_tokens, keyword_tokens, body_tokens) "
    "VALUES (new.id, new.title_tokens, new.keyword_tokens, new.body_tokens); END",
    "CREATE TRIGGER kb_article_fts_ad AFTER DELETE ON kb_article BEGIN "
    "INSERT INTO kb_article_fts(kb_article_fts, rowid, title_tokens, keyword_tokens, body_tokens) "
    "VALUES ('delete', old.id, old.title_tokens, old.keyword_tokens, old.body_tokens); END",
    "CREATE TRIGGER kb_article_fts_au AFTER UPDATE ON kb_article BEGIN "
    "INSERT INTO kb_article_fts(kb_article_fts, rowid, title_tokens, keyword_tokens, body_tokens) "
    "VALUES ('delete', old.id, old.title_tokens, old.keyword_tokens, old.body_tokens); "
    "INSERT INTO kb_article_fts(rowid, title_tokens, keyword_tokens, body_tokens) "
    "VALUES (new.id, new.title_tokens, new.keyword_tokens, new.body_tokens); END",
    "INSERT INTO kb_article_fts(kb_article_fts) VALUES ('rebuild')",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS kb_article_fts_au", "DROP TRIGGER IF EXISTS kb_article_fts_ad",
    "DROP TRIGGER IF EXISTS kb_article_fts_ai", "DROP TABLE IF EXISTS kb_article_fts",
]
PG_UP = [
    "ALTER TABLE kb_article ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple'::regconfig, coalesce(title_tokens, '')), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, coalesce(keyword_tokens, '')), 'B') || "
    "setweight(to_tsvector('simple'::regconfig, coalesce(body_tokens, '')), 'D')) STORED",
    "CREATE INDEX kb_article_search_gin ON kb_article USING GIN (search_vector)",
]
PG_DOWN = ["DROP INDEX IF EXISTS kb_article_search_gin", "ALTER TABLE kb_article DROP COLUMN IF EXISTS search_vector"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("kb", "0001_initial")]

    operations = [
        migrations.RunPython(_run({"sqlite": SQLITE_UP, "postgresql": PG_UP}),
                             _run({"sqlite": SQLITE_DOWN, "postgresql": PG_DOWN})),
    ]
