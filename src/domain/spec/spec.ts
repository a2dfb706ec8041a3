import { z } from "zod";

/** What a spec issue asks for, parsed from its title and body. */
export const SpecSchema = z.object({
  title: z.string().min(1),
  goal: z.string().min(1),
  acceptanceCriteria: z.array(z.string().min(1)),
  constraints: z.array(z.string().min(1)),
  fileHints: z.array(z.string().min(1)),
});
export type Spec = z.infer<typeof SpecSchema>;
