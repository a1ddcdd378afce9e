// Namespace import: lets esbuild tree-shake zod (a named `z` import bundles all of it).
import * as z from 'zod';

/**
 * What approving does, for a reader who may not read runs or definitions (the approver role). For a workflow step:
 * its tool and the input it will run with (its references resolved on the run as it stands at the gate, which is
 * what the step runs with once approved; its secret inputs as "[secret]"); for an agent output: its skill (the
 * content is read from GET /outputs/{id}).
 */
export const ApprovalAction = z
  .object({
    tool: z.string().meta({ description: "The step's tool; for an agent output, its skill." }),
    input: z
      .union([
        z.strictObject({ truncated: z.literal(true), bytes: z.number().int().min(0) }),
        z.record(z.string(), z.unknown()),
      ])
      .optional()
      .meta({
        description:
          'The input the step runs with, secret inputs as "[secret]"; `{ truncated: true, bytes }` when its JSON ' +
          'exceeds 8 KB. Absent for an agent output (its content: GET /outputs/{id}).',
      }),
    unresolved: z.string().optional().meta({
      description: 'Why a reference of the input does not resolve on the run: `input` is then the template as written.',
    }),
    description: z
      .string()
      .optional()
      .meta({ description: "The tool's registry description; for an agent output, the skill's." }),
  })
  .meta({
    id: 'ApprovalAction',
    description: 'What approving does. Absent on approvals requested before it was kept.',
  });
export type ApprovalAction = z.infer<typeof ApprovalAction>;
