import { AcmCertificate } from '@cdktf/provider-aws/lib/acm-certificate';
import { AcmCertificateValidation } from '@cdktf/provider-aws/lib/acm-certificate-validation';
import { DataAwsRoute53Zone } from '@cdktf/provider-aws/lib/data-aws-route53-zone';
import { Lb } from '@cdktf/provider-aws/lib/lb';
import { LbListener } from '@cdktf/provider-aws/lib/lb-listener';
import { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group';
import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { TerraformIterator, Token } from 'cdktf';
import { Construct } from 'constructs';
import { ValidationError } from '../../../src/model/errors';
import { platformNames, tenantHostsWildcard } from '../../../src/model/names';
import type { PlatformSpec } from '../../../src/model/platform-schema';
import { PLATFORM_FILE } from '../../../src/model/project';
import { AccessLogsBucket } from './access-logs-bucket';
import { WebAcl } from './web-acl';

export interface EdgeProps {
  readonly platform: PlatformSpec;
  readonly vpcId: string;
  readonly vpcCidr: string;
  /** Public subnets, one per AZ (an ALB needs at least two). */
  readonly publicSubnetIds: string[];
  readonly logsKmsKeyArn: string;
  /** Istio ingress gateway pod HTTP port (8080). */
  readonly gatewayPort: number;
  /** Istio ingress gateway readiness port (15021), path /healthz/ready. */
  readonly gatewayHealthPort: number;
}

export const TLS_POLICY = 'ELBSecurityPolicy-TLS13-1-2-2021-06';
/** IPv4 only: the VPC has no IPv6 CIDR to give a dual-stack ALB. */
export const ALB_IP_ADDRESS_TYPE = 'ipv4';
export const GATEWAY_HEALTH_PATH = '/healthz/ready';
export const NO_DOMAIN_MESSAGE = 'no domain configured: set domain in platform.json to serve tenants over HTTPS';
const ACCESS_LOG_DAYS = 365;

/**
 * The internet edge: an ALB in the public subnets forwarding to the Istio ingress gateway pods
 * (registered by a TargetGroupBinding), protected by WAF, logging to S3. Tenants are served over
 * HTTPS only, at `<tenant>.<domain>` (a wildcard alias in the domain's zone): without a domain
 * there is no certificate, so the ALB answers 503 and forwards nothing.
 */
export class Edge extends Construct {
  readonly albArn: string;
  readonly albDnsName: string;
  readonly albSecurityGroupId: string;
  readonly targetGroupArn: string;
  readonly webAclArn: string;
  /** The validated certificate, when `platform.domain` is set. */
  readonly certificateArn?: string;

  constructor(scope: Construct, id: string, props: EdgeProps) {
    super(scope, id);
    const names = platformNames(props.platform);
    validate(props);
    const { accountId, region } = props.platform.aws;

    const logs = new AccessLogsBucket(this, 'access-logs', {
      bucketName: names.albLogBucket,
      accountId,
      region,
      partition: names.partition,
      expireAfterDays: ACCESS_LOG_DAYS,
    });

    const sg = new SecurityGroup(this, 'security-group', {
      name: names.albSecurityGroup,
      description: 'Internet-facing ALB: HTTP(S) in, Istio ingress gateway pods out',
      vpcId: props.vpcId,
      tags: { Name: names.albSecurityGroup },
    });
    const domain = props.platform.domain;
    const http = domain ? 'HTTP (redirected to HTTPS)' : 'HTTP (503 until a domain is configured)';
    for (const [port, what] of [
      [443, 'HTTPS'],
      [80, http],
    ] as const) {
      new VpcSecurityGroupIngressRule(this, `ingress-${port}`, {
        securityGroupId: sg.id,
        description: `${what} from the internet`,
        ipProtocol: 'tcp',
        fromPort: port,
        toPort: port,
        cidrIpv4: '0.0.0.0/0',
      });
    }
    for (const [key, port, what] of [
      ['gateway', props.gatewayPort, 'traffic'],
      ['health', props.gatewayHealthPort, 'health checks'],
    ] as const) {
      new VpcSecurityGroupEgressRule(this, `egress-${key}`, {
        securityGroupId: sg.id,
        description: `Istio ingress gateway pods: ${what}`,
        ipProtocol: 'tcp',
        fromPort: port,
        toPort: port,
        cidrIpv4: props.vpcCidr,
      });
    }
    this.albSecurityGroupId = sg.id;

    const alb = new Lb(this, 'alb', {
      name: names.alb,
      internal: false,
      loadBalancerType: 'application',
      ipAddressType: ALB_IP_ADDRESS_TYPE,
      subnets: props.publicSubnetIds,
      securityGroups: [sg.id],
      dropInvalidHeaderFields: true,
      desyncMitigationMode: 'strictest',
      enableDeletionProtection: true,
      accessLogs: { bucket: logs.bucket.id, enabled: true },
      tags: { Name: names.alb },
      dependsOn: [logs.policy],
    });
    this.albArn = alb.arn;
    this.albDnsName = alb.dnsName;

    const targetGroup = new LbTargetGroup(this, 'target-group', {
      name: names.albTargetGroup,
      targetType: 'ip',
      protocol: 'HTTP',
      port: props.gatewayPort,
      vpcId: props.vpcId,
      healthCheck: {
        enabled: true,
        protocol: 'HTTP',
        port: String(props.gatewayHealthPort),
        path: GATEWAY_HEALTH_PATH,
        matcher: '200',
      },
      tags: { Name: names.albTargetGroup },
    });
    this.targetGroupArn = targetGroup.arn;

    if (domain) {
      // The domain's public zone both validates the certificate and serves the tenant hosts.
      const zone = new DataAwsRoute53Zone(this, 'zone', { name: domain, privateZone: false });
      this.certificateArn = this.certificate(domain, zone.zoneId);
      this.tenantAlias(domain, zone.zoneId, alb);
      new LbListener(this, 'https', {
        loadBalancerArn: alb.arn,
        port: 443,
        protocol: 'HTTPS',
        sslPolicy: TLS_POLICY,
        certificateArn: this.certificateArn,
        defaultAction: [{ type: 'forward', targetGroupArn: targetGroup.arn }],
      });
      new LbListener(this, 'http', {
        loadBalancerArn: alb.arn,
        port: 80,
        protocol: 'HTTP',
        defaultAction: [{ type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', statusCode: 'HTTP_301' } }],
      });
    } else {
      new LbListener(this, 'http', {
        loadBalancerArn: alb.arn,
        port: 80,
        protocol: 'HTTP',
        defaultAction: [{ type: 'fixed-response', fixedResponse: { statusCode: '503', contentType: 'text/plain', messageBody: NO_DOMAIN_MESSAGE } }],
      });
    }

    const waf = new WebAcl(this, 'waf', {
      name: names.webAcl,
      logGroupName: names.wafLogGroup,
      logRetentionDays: props.platform.edge.logRetentionDays,
      logsKmsKeyArn: props.logsKmsKeyArn,
      rateLimitPerIp: props.platform.edge.rateLimitPerIp,
      resourceArn: alb.arn,
    });
    this.webAclArn = waf.acl.arn;
  }

  /** ACM certificate for `domain` and `*.domain`, DNS-validated in the public Route 53 zone. */
  private certificate(domain: string, zoneId: string): string {
    const cert = new AcmCertificate(this, 'certificate', {
      domainName: domain,
      subjectAlternativeNames: [tenantHostsWildcard(domain)],
      validationMethod: 'DNS',
      tags: { Name: domain },
      lifecycle: { createBeforeDestroy: true },
    });
    // The apex and the wildcard share one validation record: allow_overwrite makes that harmless.
    const options = TerraformIterator.fromComplexList(cert.domainValidationOptions, 'domain_name');
    const records = new Route53Record(this, 'validation-record', {
      forEach: options,
      zoneId,
      name: options.getString('resource_record_name'),
      type: options.getString('resource_record_type'),
      records: [options.getString('resource_record_value')],
      ttl: 60,
      allowOverwrite: true,
    });
    const validation = new AcmCertificateValidation(this, 'certificate-validation', {
      certificateArn: cert.arn,
      validationRecordFqdns: Token.asList(TerraformIterator.fromResources(records).pluckProperty('fqdn')),
    });
    return validation.certificateArn;
  }

  /** `*.domain` as an alias of the ALB, for every address family the ALB answers on. */
  private tenantAlias(domain: string, zoneId: string, alb: Lb): void {
    for (const type of aliasRecordTypes(ALB_IP_ADDRESS_TYPE)) {
      new Route53Record(this, `tenant-alias-${type.toLowerCase()}`, {
        zoneId,
        name: tenantHostsWildcard(domain),
        type,
        alias: { name: alb.dnsName, zoneId: alb.zoneId, evaluateTargetHealth: true },
        // Takes over the record that installations made by hand before tenantctl created it.
        allowOverwrite: true,
      });
    }
  }
}

/** The alias record types that resolve to an ALB: AAAA as well only when it is dual-stack. */
export function aliasRecordTypes(ipAddressType: 'ipv4' | 'dualstack'): ('A' | 'AAAA')[] {
  return ipAddressType === 'dualstack' ? ['A', 'AAAA'] : ['A'];
}

function validate(props: EdgeProps): void {
  if (!Token.isUnresolved(props.publicSubnetIds) && props.publicSubnetIds.length < 2) {
    throw new ValidationError(
      PLATFORM_FILE,
      'network.publicSubnets',
      'the ALB needs public subnets in at least two availability zones: list one per availability zone',
      props.publicSubnetIds.length,
    );
  }
  for (const [field, port] of [
    ['gatewayPort', props.gatewayPort],
    ['gatewayHealthPort', props.gatewayHealthPort],
  ] as const) {
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`Edge ${field} ${port} is not a TCP port: use 1-65535`);
  }
}
