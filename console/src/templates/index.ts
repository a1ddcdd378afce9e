/** The template library: ready workflow definitions the console creates in one click. */
import { churnRisk } from './churn-risk.js';
import { leadFollowUp } from './lead-follow-up.js';
import { newHireOnboarding } from './new-hire-onboarding.js';
import type { WorkflowTemplate } from './template.js';

export const TEMPLATES: readonly WorkflowTemplate[] = [leadFollowUp, newHireOnboarding, churnRisk];

export type { TemplateBuild, TemplateParam, TemplateValues, WorkflowTemplate } from './template.js';
export { checkParams, valuesOf } from './template.js';
