/**
 * The Workday tenant's workforce: the people the assignment put in Workday become the employees of one company,
 * hired one after another into a management tree (each manager leads a supervisory organization), with titles
 * by department, offices and work e-mail addresses at the company's domain.
 */
import type { Rng } from '../../synthetic/index.js';
import { mailPart } from '../../synthetic/world.js';
import { workdayPhone } from './formats.js';
import { workdayId } from './ids.js';
import type { SeedWorker, SeedWorkday } from './types.js';

export interface WorkforcePerson {
  entityId: string;
  /** Names as the Workday record holds them (title case; a generator trap may have changed them). */
  first: string;
  last: string;
  phoneDigits: string;
  birthDate: string;
  city: string;
}

const DEPARTMENTS: readonly { name: string; titles: readonly string[] }[] = [
  { name: 'Sales', titles: ['Account Executive', 'Sales Development Representative', 'Sales Engineer'] },
  {
    name: 'Engineering',
    titles: ['Software Engineer', 'Senior Software Engineer', 'QA Engineer', 'Site Reliability Engineer'],
  },
  { name: 'Finance', titles: ['Financial Analyst', 'Accountant', 'Payroll Specialist'] },
  { name: 'People', titles: ['HR Generalist', 'Recruiter', 'HR Business Partner'] },
  { name: 'Marketing', titles: ['Marketing Specialist', 'Content Manager', 'Product Marketing Manager'] },
  { name: 'Customer Success', titles: ['Customer Success Manager', 'Support Engineer', 'Implementation Consultant'] },
  { name: 'Operations', titles: ['Operations Analyst', 'Facilities Coordinator', 'Procurement Specialist'] },
  { name: 'Legal', titles: ['Counsel', 'Paralegal', 'Compliance Analyst'] },
];
const TEAM_LABELS = ['East', 'West', 'North', 'South', 'Central', 'Enterprise', 'Platform', 'EMEA', 'Americas', 'APAC'];

const DAY = 86_400_000;

/** Drops a generational suffix the last name may carry ("Smith Jr") for the e-mail address. */
const bareLast = (last: string): string => last.replace(/\s+(Jr|Sr)\.?$/i, '');

export function buildWorkforce(
  people: readonly WorkforcePerson[],
  company: { name: string; domain: string; entityId: string; city: string },
  rng: Rng,
  epoch: number,
): { workday: SeedWorkday; titles: Map<string, string>; emails: Map<string, string> } {
  const hired = rng.shuffle([...people]);
  const n = hired.length;
  const wids = hired.map(() => workdayId(rng));
  // Hire dates ascending in hire order, so managers (hired first, see below) joined before their reports.
  const hireDays = Array.from({ length: n }, () => rng.int(10, 15 * 365)).sort((a, b) => b - a);

  // Breadth-first: the earliest hires fill the top of the tree; each manager takes a span of 2–7 reports.
  const manager: (number | null)[] = [null];
  const depth = [0];
  const queue: { at: number; room: number }[] = [{ at: 0, room: rng.int(5, 8) }];
  for (let i = 1; i < n; i++) {
    const head = queue[0]!;
    manager.push(head.at);
    depth.push(depth[head.at]! + 1);
    if (--head.room === 0) queue.shift();
    queue.push({ at: i, room: rng.int(2, 7) });
  }
  const reports = new Map<number, number[]>();
  for (let i = 1; i < n; i++) {
    const m = manager[i]!;
    reports.set(m, [...(reports.get(m) ?? []), i]);
  }
  const department: number[] = new Array(n).fill(-1);
  const departments = rng.shuffle([...DEPARTMENTS.keys()]);
  let nextDept = 0;
  for (let i = 1; i < n; i++) {
    department[i] = depth[i] === 1 ? departments[nextDept++ % departments.length]! : department[manager[i]!]!;
  }

  const name = (i: number) => `${hired[i]!.first} ${hired[i]!.last}`;
  const organizations: SeedWorkday['organizations'] = [];
  const orgOf = new Map<number, string>();
  for (let i = 0; i < n; i++) {
    if (i !== 0 && !reports.has(i)) continue;
    const id = workdayId(rng);
    const dept = department[i]! >= 0 ? DEPARTMENTS[department[i]!]!.name : 'Executive Office';
    const label = depth[i]! >= 2 ? `${dept} - ${rng.pick(TEAM_LABELS)}` : dept;
    organizations.push({ id, descriptor: `${label} (${name(i)})`, managerWid: wids[i]! });
    orgOf.set(i, id);
  }

  const cityCounts = new Map<string, number>();
  for (const p of hired) if (p.city) cityCounts.set(p.city, (cityCounts.get(p.city) ?? 0) + 1);
  const officeCities = [
    company.city,
    ...[...cityCounts.entries()]
      .filter(([c]) => c !== company.city)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, 3)
      .map(([c]) => c),
  ];
  const locations = [
    ...officeCities.map((c) => ({ id: workdayId(rng), descriptor: c, country: 'US' })),
    { id: workdayId(rng), descriptor: 'Toronto', country: 'CA' },
  ];

  const titles = new Map<string, string>();
  const emails = new Map<string, string>();
  const usedEmails = new Set<string>();
  const workers: SeedWorker[] = hired.map((p, i) => {
    const dept = department[i]! >= 0 ? DEPARTMENTS[department[i]!]! : null;
    const leads = reports.has(i);
    const title =
      i === 0
        ? 'Chief Executive Officer'
        : depth[i] === 1
          ? `Vice President, ${dept!.name}`
          : leads
            ? rng.chance(0.5)
              ? `${dept!.name} Manager`
              : `Director, ${dept!.name}`
            : rng.pick(dept!.titles);
    titles.set(p.entityId, title);
    const local = `${mailPart(p.first)}.${mailPart(bareLast(p.last))}`;
    let email = `${local}@${company.domain}`;
    for (let k = 2; usedEmails.has(email); k++) email = `${local}${k}@${company.domain}`;
    usedEmails.add(email);
    emails.set(p.entityId, email);
    const office =
      locations.find((l) => l.descriptor === p.city) ?? (rng.chance(0.5) ? locations[0]! : rng.pick(locations));
    const hireAt = epoch - hireDays[i]! * DAY;
    return {
      wid: wids[i]!,
      employeeId: String(21001 + i),
      firstName: p.first,
      lastName: p.last,
      email: rng.chance(0.03) ? null : email,
      phone: workdayPhone(p.phoneDigits),
      title,
      hireDate: new Date(hireAt).toISOString().slice(0, 10),
      birthDate: p.birthDate || null,
      workerType: !leads && i !== 0 && rng.chance(0.07) ? 'Contingent Worker' : 'Employee',
      managerWid: i === 0 ? null : wids[manager[i]!]!,
      locationId: office.id,
      organizationId: i === 0 ? orgOf.get(0)! : orgOf.get(manager[i]!)!,
      modifiedAt: hireAt + rng.int(0, Math.max(1, Math.floor((epoch - hireAt) / 1000))) * 1000,
      entityId: p.entityId,
    };
  });
  return {
    workday: {
      company: { name: company.name, domain: company.domain, entityId: company.entityId },
      workers,
      organizations,
      locations,
    },
    titles,
    emails,
  };
}
