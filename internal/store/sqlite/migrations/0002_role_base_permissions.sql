-- A custom role's basePermissions became the wider service's string
-- (reader or no_access); the catalogue names it held move to their own
-- column. Existing roles get no_access, so no role gains anything.
ALTER TABLE custom_roles RENAME COLUMN base_permissions TO permissions;
ALTER TABLE custom_roles ADD COLUMN base_permissions TEXT NOT NULL DEFAULT 'no_access';
