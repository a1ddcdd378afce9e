// biome-ignore-all lint/suspicious/noThenProperty: `then` is the signal rule's field naming the workflow to start, not a thenable.
/**
 * A churn-risk case that opens on a signal: a signal rule notices an account whose health score drops below a
 * threshold, opens (or updates) one case per account, and starts a workflow that flags the account and, once an
 * approver agrees, tells customer success through a signed webhook.
 */
import { gate, gateParams, secretOf, type TemplateBuild, type WorkflowTemplate } from './template.js';

export const churnRisk: WorkflowTemplate = {
  id: 'churn-risk',
  name: 'Churn-risk case on a signal',
  summary:
    'A signal rule opens a case when an account’s health score falls below a threshold and starts a review workflow.',
  does: [
    'Creates a workflow of two steps, then a signal rule that starts it.',
    'Signal rule: on an update of an entity of the chosen type that changes the health attribute to below the threshold, opens or updates the case of that entity and starts the workflow.',
    'Step flag: sets churnRisk to "review" and churnSignal to the signal’s id on the entity (entity.update).',
    'Step notify-cs: after approval, sends a signed webhook with the entity, the signal and the case key to customer success (http.webhook).',
  ],
  startsOnSignal: true,
  params: [
    { key: 'name', label: 'Workflow name', kind: 'text', default: 'Churn-risk review' },
    { key: 'ruleId', label: 'Signal rule id', kind: 'id', default: 'churn-risk', hint: 'Unique among the rules.' },
    {
      key: 'entityType',
      label: 'Entity type',
      kind: 'select',
      options: ['account', 'organization'],
      default: 'account',
    },
    { key: 'attribute', label: 'Health attribute', kind: 'attribute', default: 'healthScore' },
    {
      key: 'threshold',
      label: 'Fires below',
      kind: 'number',
      min: 1,
      max: 1000,
      default: '40',
      hint: 'The rule fires when an update sets the attribute to a number below this.',
    },
    { key: 'caseTitle', label: 'Case title', kind: 'text', default: 'Churn risk' },
    { key: 'notifyUrl', label: 'Customer success webhook URL', kind: 'url' },
    {
      key: 'secret',
      label: 'Webhook signing secret',
      kind: 'secret',
      optional: true,
      hint: 'whsec_…; leave empty and one is generated and shown once.',
    },
    ...gateParams(48),
  ],
  runInput: {
    signal: 'the signal that started the run (filled in by the platform: signalId, entityId, caseKey…)',
    reason: 'what the rule noticed (set by the rule)',
  },
  exampleInput: {
    signal: { signalId: 'sig-1', entityId: 'ent_account', caseKey: 'churn-risk:ent_account', ruleId: 'churn-risk' },
    reason: 'healthScore below 40',
  },
  build(values) {
    const generatedSecrets: TemplateBuild['generatedSecrets'] = [];
    const secret = secretOf(values, 'secret', 'Signing secret of the notify-cs step', generatedSecrets);
    const attribute = values.attribute!;
    const threshold = Number(values.threshold);
    return {
      workflow: {
        name: values.name!,
        description: `Churn-risk review, started by the signal rule ${values.ruleId}.`,
        steps: [
          {
            id: 'flag',
            tool: 'entity.update',
            input: {
              entityId: '$.input.signal.entityId',
              attributes: { churnRisk: 'review', churnSignal: '$.input.signal.signalId' },
            },
          },
          {
            id: 'notify-cs',
            tool: 'http.webhook',
            input: {
              url: values.notifyUrl!,
              secret,
              eventType: 'account.churn_risk',
              payload: {
                entityId: '$.input.signal.entityId',
                signalId: '$.input.signal.signalId',
                caseKey: '$.input.signal.caseKey',
                reason: '$.input.reason',
              },
            },
            approval: gate(values),
          },
        ],
      },
      signalRule: (workflowId) => ({
        id: values.ruleId!,
        name: `${values.caseTitle}: ${attribute} below ${threshold}`,
        description: `Opens a case and starts ${values.name} when an update sets ${attribute} below ${threshold}.`,
        kind: 'match',
        key: 'entityId',
        match: {
          'detail-type': ['entity.updated'],
          detail: {
            entityType: [values.entityType],
            payload: { changed: [attribute], entity: { attributes: { [attribute]: [{ numeric: ['<', threshold] }] } } },
          },
        },
        case: { title: values.caseTitle! },
        then: { startWorkflow: workflowId, input: { reason: `${attribute} below ${threshold}` } },
      }),
      generatedSecrets,
    };
  },
};
