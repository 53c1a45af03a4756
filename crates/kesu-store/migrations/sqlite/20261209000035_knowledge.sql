-- Product knowledge (知识库): the current text of each article and every earlier version.
-- SKUs and categories are JSON lists; `sku_key` is the SKU of a SKU article, unique, so a
-- product sheet imported twice updates its articles instead of adding them again.
CREATE TABLE knowledge_articles (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    skus TEXT NOT NULL,
    categories TEXT NOT NULL,
    sku_key TEXT UNIQUE,
    version INTEGER NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE TABLE knowledge_versions (
    article_id INTEGER NOT NULL REFERENCES knowledge_articles(id),
    version INTEGER NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    skus TEXT NOT NULL,
    categories TEXT NOT NULL,
    edited_by TEXT NOT NULL,
    edited_at INTEGER NOT NULL,
    PRIMARY KEY (article_id, version)
);
-- The SKUs an article names, one row each, to find a case's articles by index.
CREATE TABLE knowledge_skus (
    article_id INTEGER NOT NULL REFERENCES knowledge_articles(id),
    sku TEXT NOT NULL,
    PRIMARY KEY (sku, article_id)
);
