"""Search keeps no Django models: its index lives in the database (see search.sqlite_index
and the migration). The module exists so that migrate sends this app its pre/post_migrate
signals."""
