-- Each user's saved queue views: a name and the queue's query string.
CREATE TABLE saved_views (
    username TEXT NOT NULL,
    name TEXT NOT NULL,
    query TEXT NOT NULL,
    PRIMARY KEY (username, name)
);
