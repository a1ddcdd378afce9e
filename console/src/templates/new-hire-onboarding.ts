/**
 * New-hire onboarding across HR and CRM: the employee record (HR) and the person record (CRM) are marked as being
 * onboarded, the systems that prepare the first day (IT, facilities) are told through a signed webhook once an
 * approver agrees, and the employee record is marked ready.
 */
import { gate, gateParams, secretOf, type TemplateBuild, type WorkflowTemplate } from './template.js';

export const newHireOnboarding: WorkflowTemplate = {
  id: 'new-hire-onboarding',
  name: 'New-hire onboarding (HR and CRM)',
  summary:
    'Marks the new hire in HR and CRM, tells the provisioning system by webhook once approved, then marks them ready.',
  does: [
    'Creates a workflow of four steps.',
    'Step hr-record: sets onboardingStatus to "in_progress" and startDate on the employee (entity.update).',
    'Step crm-record: sets employmentStatus to "employee" and onboardingStatus on the person in the CRM (entity.update).',
    'Step notify: after approval, sends a signed webhook (Standard Webhooks) with the employee, person and start date to the URL given here (http.webhook).',
    'Step ready: sets onboardingStatus to "ready" on the employee (entity.update).',
  ],
  params: [
    { key: 'name', label: 'Workflow name', kind: 'text', default: 'New-hire onboarding' },
    {
      key: 'notifyUrl',
      label: 'Provisioning webhook URL',
      kind: 'url',
      hint: 'The https endpoint of the system that prepares the first day (accounts, badge, laptop).',
    },
    {
      key: 'secret',
      label: 'Webhook signing secret',
      kind: 'secret',
      optional: true,
      hint: 'whsec_…; leave empty and one is generated and shown once.',
    },
    ...gateParams(72),
  ],
  runInput: {
    employeeId: 'the employee entity (HR)',
    personId: 'the same person’s entity in the CRM',
    startDate: 'the first day, YYYY-MM-DD',
  },
  exampleInput: { employeeId: 'ent_employee', personId: 'ent_person', startDate: '2026-03-02' },
  build(values) {
    const generatedSecrets: TemplateBuild['generatedSecrets'] = [];
    const secret = secretOf(values, 'secret', 'Signing secret of the notify step', generatedSecrets);
    return {
      workflow: {
        name: values.name!,
        description: 'New-hire onboarding: HR and CRM records, a signed notice to provisioning once approved.',
        steps: [
          {
            id: 'hr-record',
            tool: 'entity.update',
            input: {
              entityId: '$.input.employeeId',
              attributes: { onboardingStatus: 'in_progress', startDate: '$.input.startDate' },
            },
          },
          {
            id: 'crm-record',
            tool: 'entity.update',
            input: {
              entityId: '$.input.personId',
              attributes: { employmentStatus: 'employee', onboardingStatus: 'in_progress' },
            },
          },
          {
            id: 'notify',
            tool: 'http.webhook',
            input: {
              url: values.notifyUrl!,
              secret,
              eventType: 'employee.onboarding',
              payload: {
                employeeId: '$.input.employeeId',
                personId: '$.input.personId',
                startDate: '$.input.startDate',
              },
            },
            approval: gate(values),
          },
          {
            id: 'ready',
            tool: 'entity.update',
            input: { entityId: '$.input.employeeId', attributes: { onboardingStatus: 'ready' } },
          },
        ],
      },
      generatedSecrets,
    };
  },
};
