/**
 * Lead follow-up with an approval: the lead records that a follow-up was asked for (and why), then an approver
 * decides whether the lead's status changes (e.g. to qualified). Both steps are entity.update, so the change goes
 * through the audited path as the user who ran the workflow.
 */
import { gate, gateParams, type WorkflowTemplate } from './template.js';

export const leadFollowUp: WorkflowTemplate = {
  id: 'lead-follow-up',
  name: 'Lead follow-up with approval',
  summary: 'Records a follow-up request on a lead, then changes its status once an approver agrees.',
  does: [
    'Creates a workflow of two steps.',
    'Step request: sets followUp to "requested" and followUpNote to the note on the lead (entity.update).',
    'Step qualify: waits for the approver, then sets the lead’s status to the value chosen here (entity.update).',
  ],
  params: [
    { key: 'name', label: 'Workflow name', kind: 'text', default: 'Lead follow-up' },
    {
      key: 'status',
      label: 'Status after approval',
      kind: 'text',
      default: 'qualified',
      hint: 'The value the lead’s status attribute takes once approved.',
    },
    ...gateParams(24),
  ],
  runInput: {
    leadId: 'the id of the lead (a person or contact entity)',
    note: 'why the lead should be followed up',
  },
  exampleInput: { leadId: 'ent_lead', note: 'Asked for a demo at the fair' },
  build(values) {
    return {
      workflow: {
        name: values.name!,
        description: `Lead follow-up: record the request, then set status to ${values.status} once approved.`,
        steps: [
          {
            id: 'request',
            tool: 'entity.update',
            input: { entityId: '$.input.leadId', attributes: { followUp: 'requested', followUpNote: '$.input.note' } },
          },
          {
            id: 'qualify',
            tool: 'entity.update',
            input: { entityId: '$.input.leadId', attributes: { status: values.status!, followUp: 'approved' } },
            approval: gate(values),
          },
        ],
      },
      generatedSecrets: [],
    };
  },
};
