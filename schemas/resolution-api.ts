import { routeContract } from './route-contract.js';
import { EntityIdPath } from './entity.js';
import {
  MatchDecisionResult,
  MatchList,
  MatchPairPath,
  ResolutionRun,
  ResolutionRunIdPath,
  ReviewQueue,
  ReviewQueueQuery,
  StartResolutionRunRequest,
} from './resolution.js';

/** API contracts of the identity-resolution routes (merged into ROUTE_CONTRACTS in api.ts). */
export const RESOLUTION_ROUTE_CONTRACTS = {
  'POST /api/v1/resolution/runs': routeContract({
    function: 'StartResolutionRun',
    auth: 'jwt',
    summary: 'Queue a batch resolution of every entity of a type (admin); poll the run for progress',
    permission: 'resolution:manage',
    body: StartResolutionRunRequest,
    status: 202,
    response: ResolutionRun,
  }),
  'GET /api/v1/resolution/runs/{id}': routeContract({
    function: 'GetResolutionRun',
    auth: 'jwt',
    summary: 'A resolution run: status, progress, result (admin)',
    permission: 'resolution:manage',
    params: ResolutionRunIdPath,
    status: 200,
    response: ResolutionRun,
  }),
  'GET /api/v1/resolution/review': routeContract({
    function: 'GetReviewQueue',
    auth: 'jwt',
    summary:
      'Pending review pairs of a type, most uncertain first, each with its explanation (field names and levels only) and the confirm/reject paths that answer it (admin)',
    permission: 'resolution:manage',
    query: ReviewQueueQuery,
    status: 200,
    response: ReviewQueue,
  }),
  'GET /api/v1/entities/{id}/matches': routeContract({
    function: 'ListMatches',
    auth: 'jwt',
    summary:
      "The entity's cluster members, scored against it with explanations (field names and levels only), and the decisions on it",
    permission: 'entities:read',
    params: EntityIdPath,
    status: 200,
    response: MatchList,
  }),
  'POST /api/v1/entities/{id}/matches/{otherId}/confirm': routeContract({
    function: 'DecideMatch',
    auth: 'jwt',
    summary:
      'Confirm the pair is one thing (must-link; merges their clusters); 409 if that would join a rejected pair; idempotent (admin)',
    permission: 'resolution:manage',
    params: MatchPairPath,
    status: 200,
    response: MatchDecisionResult,
  }),
  'POST /api/v1/entities/{id}/matches/{otherId}/reject': routeContract({
    function: 'DecideMatch',
    auth: 'jwt',
    summary: 'Reject the pair (cannot-link; splits their cluster if they share one); idempotent (admin)',
    permission: 'resolution:manage',
    params: MatchPairPath,
    status: 200,
    response: MatchDecisionResult,
  }),
};
