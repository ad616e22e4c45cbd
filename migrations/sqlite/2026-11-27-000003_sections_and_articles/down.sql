DROP TABLE slug_redirects;
DROP TABLE article_tags;
DROP TABLE tags;
DROP TABLE articles;
DROP TABLE sections;
