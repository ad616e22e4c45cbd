DROP TABLE title_terms;
