DROP TABLE related_articles;
