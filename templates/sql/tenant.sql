-- tenantctl: database objects of tenant {{tenant_id}} (login role and schema {{schema}}).
-- Run by the tenant's provisioning Job as the tenant provisioner {{provisioner}} through RDS Proxy,
-- after platform.sql. The provisioner may only call shared.provision_tenant(), which creates or
-- updates the tenant and never drops anything (see platform.sql).
BEGIN;

SELECT shared.provision_tenant('{{tenant_id}}', '{{tier}}', {{connection_limit}}, {{statement_timeout_seconds}});

COMMIT;
