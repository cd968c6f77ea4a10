import { createHash } from 'node:crypto';

/**
 * The value a cloud resource is tagged with to say which lab made it: the lab's name and a hash
 * of where its state lives, so two checkouts of one scenario never share (or remove) each
 * other's resources. Cloud-neutral: EC2 tags, OpenStack names and metadata, GCE labels.
 */
export function labTag(lab: { name: string; stateDir: string }): string {
  return `${lab.name}.${createHash('sha256').update(lab.stateDir).digest('hex').slice(0, 8)}`;
}
