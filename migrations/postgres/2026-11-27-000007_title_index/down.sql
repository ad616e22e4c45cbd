DROP INDEX article_search_title;
