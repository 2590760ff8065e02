-- schema version 5: a source's two addresses kept apart.
-- checked_url: the stored page its values were read on (values without an address of their own inherit it);
-- citation_url: the stored page where its title, year and DOI were confirmed, when that is another page.
-- Before this column a citation found elsewhere could only replace checked_url, silently moving the
-- address of every value that inherits it.
ALTER TABLE sources ADD COLUMN citation_url VARCHAR;
