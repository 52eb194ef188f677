import { conflict, HttpError, notFound } from '../../core/http-error.js';
import { paginate } from '../../core/paginate.js';
import type { EmulatorModule, EmuRequest } from '../../core/types.js';
import { createFields, type ProjectFields, updateFields } from './project-body.js';
import { type ParsedUrn, parseUrn, parseUrns, ResourceResolver, selfLink } from './resources.js';

interface Project extends ProjectFields {
  id: string;
  createdAt: string;
  updatedAt: string;
}

interface Assignment {
  projectId: string;
  assignedAt: string;
}

/** Set as `services.set('projects', …)`: lets a module file what it creates under a project (apps' `project_id`). */
export interface ProjectsService {
  /** Assigns a resource to the project (the default project when `projectId` is undefined); false if there is no such project. */
  assign(urn: string, projectId: string | undefined): boolean;
}

const preconditionFailed = (message: string) => new HttpError(412, 'precondition_failed', message);

/**
 * Projects (`/v2/projects`, `/v2/projects/default`, `…/resources`). An account starts with its
 * default project, as DigitalOcean creates one; names are unique; a project is deleted only when
 * empty and the default one never. Every resource is in exactly one project: assigning moves it, and
 * droplets nobody assigned sit in the default project. Resources are resolved through the droplets,
 * domains and apps services when present: a missing one is answered with status `not_found`.
 */
export const projectsModule: EmulatorModule = {
  name: 'projects',
  register(core) {
    const projects = new Map<string, Project>();
    const assignments = new Map<string, Assignment>();
    const resolver = new ResourceResolver(core.services);
    const ownerId = core.ids.next('project_owner', 8_000_000);
    const ownerUuid = () => (core.services.get('account') as { uuid?: string } | undefined)?.uuid ?? '';

    const add = (fields: ProjectFields): Project => {
      const now = core.clock.iso();
      const project = { ...fields, id: core.ids.uuid(), createdAt: now, updatedAt: now };
      projects.set(project.id, project);
      return project;
    };
    const seed = () =>
      add({
        name: 'first-project',
        description: 'Update your project information under Settings',
        purpose: 'Operational / Developer tooling',
        environment: 'Development',
        isDefault: true,
      });
    seed();

    const defaultProject = () => [...projects.values()].find((p) => p.isDefault)!;
    const projectOf = (req: EmuRequest): Project => {
      if (req.path.startsWith('/v2/projects/default')) return defaultProject();
      const project = projects.get(req.params.project_id ?? '');
      if (!project) throw notFound();
      return project;
    };
    const checkName = (name: string, self?: string) => {
      if ([...projects.values()].some((p) => p.name === name && p.id !== self))
        throw conflict(`a project named '${name}' already exists`);
    };
    const json = (p: Project) => ({
      id: p.id,
      owner_uuid: ownerUuid(),
      owner_id: ownerId,
      name: p.name,
      description: p.description,
      purpose: p.purpose,
      ...(p.environment ? { environment: p.environment } : {}),
      is_default: p.isDefault,
      created_at: p.createdAt,
      updated_at: p.updatedAt,
    });

    /** A project's resources now: gone ones drop out, unassigned droplets land in the default project. */
    const members = (project: Project): [string, Assignment][] => {
      if (project.isDefault) {
        for (const urn of resolver.dropletUrns())
          if (!assignments.has(urn))
            assignments.set(urn, { projectId: project.id, assignedAt: core.clock.iso() });
      }
      for (const urn of [...assignments.keys()]) if (!resolver.exists(parseUrn(urn))) assignments.delete(urn);
      return [...assignments].filter(([, a]) => a.projectId === project.id);
    };
    const resourceJson = (parsed: ParsedUrn, assignment: Assignment | undefined, status: string) => {
      const links = selfLink(core.baseUrl(), parsed);
      return {
        urn: parsed.urn,
        ...(assignment ? { assigned_at: assignment.assignedAt } : {}),
        ...(links ? { links } : {}),
        status,
      };
    };

    core.route('GET', '/v2/projects', (req) => ({
      status: 200,
      body: paginate(req, core.baseUrl(), 'projects', [...projects.values()].map(json)),
    }));

    core.route('POST', '/v2/projects', (req) => {
      const fields = createFields(bodyOf(req));
      checkName(fields.name);
      return { status: 201, body: { project: json(add(fields)) } };
    });

    for (const base of ['/v2/projects/default', '/v2/projects/:project_id']) {
      core.route('GET', base, (req) => ({ status: 200, body: { project: json(projectOf(req)) } }));
      for (const method of ['PATCH', 'PUT'] as const) {
        core.route(method, base, (req) => {
          const project = projectOf(req);
          const next = updateFields(project, bodyOf(req), method === 'PUT');
          checkName(next.name, project.id);
          if (next.isDefault && !project.isDefault) for (const p of projects.values()) p.isDefault = false;
          Object.assign(project, next, { updatedAt: core.clock.iso() });
          return { status: 200, body: { project: json(project) } };
        });
      }

      core.route('GET', `${base}/resources`, (req) => {
        const list = members(projectOf(req)).map(([urn, a]) => resourceJson(parseUrn(urn), a, 'ok'));
        return { status: 200, body: paginate(req, core.baseUrl(), 'resources', list) };
      });

      core.route('POST', `${base}/resources`, (req) => {
        const project = projectOf(req);
        const results = parseUrns(bodyOf(req).resources).map((parsed) => {
          if (!resolver.exists(parsed)) return resourceJson(parsed, undefined, 'not_found');
          const current = assignments.get(parsed.urn);
          if (current?.projectId === project.id) return resourceJson(parsed, current, 'already_assigned');
          const assignment = { projectId: project.id, assignedAt: core.clock.iso() };
          assignments.set(parsed.urn, assignment);
          return resourceJson(parsed, assignment, 'assigned');
        });
        return { status: 200, body: { resources: results } };
      });
    }

    core.route('DELETE', '/v2/projects/:project_id', (req) => {
      const project = projectOf(req);
      if (project.isDefault) throw preconditionFailed('cannot delete the default project');
      if (members(project).length > 0)
        throw preconditionFailed(
          'cannot delete a project with resources. move or remove the resources first',
        );
      projects.delete(project.id);
      return { status: 204 };
    });

    const projectsService: ProjectsService = {
      assign: (urn, projectId) => {
        const project = projectId === undefined ? defaultProject() : projects.get(projectId);
        if (!project) return false;
        assignments.set(urn, { projectId: project.id, assignedAt: core.clock.iso() });
        return true;
      },
    };
    core.services.set('projects', projectsService);
    core.state('projects', {
      dump: () => ({
        projects: [...projects.values()].map(json),
        assignments: Object.fromEntries(assignments),
      }),
      reset: () => {
        projects.clear();
        assignments.clear();
        seed();
      },
    });
  },
};

function bodyOf(req: EmuRequest): Record<string, unknown> {
  const body = req.body;
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}
