DROP INDEX articles_filter_columns;
