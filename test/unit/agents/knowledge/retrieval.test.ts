/**
 * Retrieval from a knowledge base's BM25 index: for questions written in other words than the passages (singular for
 * plural, other inflections, accents, a typing error, filler words), the passage that answers ranks first. The
 * documents are written for this test; none of the rules of the index was chosen on them.
 */
import { describe, expect, it } from 'vitest';
import { Bm25Index, processTerm, sStem } from '../../../../functions/domain/agents/knowledge/bm25-index.js';
import { chunkDocument } from '../../../../functions/domain/agents/knowledge/chunking.js';

const HANDBOOK = `# Customer handbook

## Refunds

Orders can be returned within 30 days of delivery. Once the returned parcel reaches our warehouse, the refund is
issued to the original payment method and usually arrives within five business days. Shipping fees are not refunded
unless the item arrived damaged.

## Payment methods

We accept Visa, Mastercard and American Express credit cards, SEPA direct debit for business accounts, and bank
transfer for invoices above 10,000 EUR. Cheques are not accepted.

## Delivery times

Standard delivery within the EU takes two to four working days. Express delivery is dispatched the same day for orders
placed before 14:00 CET. Deliveries to Switzerland and Norway go through customs and can take a week longer.

## Data protection

Customer data is stored in Frankfurt and never leaves the European Union. Personal data is deleted 24 months after
the last order unless the law requires us to keep invoices for longer. Requests for a copy of your data go to the
privacy officer.
`;

const SECURITY = `# Security whitepaper

## Encryption

All traffic uses TLS 1.3. Data at rest is encrypted with AES-256; keys are rotated every 90 days by the key management
service.

## Single sign-on

Enterprise plans support SAML 2.0 and OpenID Connect single sign-on with Okta, Azure AD and Google Workspace.
Provisioning of users through SCIM is available on request.

## Café menu

Le café du siège propose des croissants et du thé.
`;

function index() {
  const idx = Bm25Index.empty();
  idx.addDocument('doc-handbook', 'Customer handbook', chunkDocument(HANDBOOK));
  idx.addDocument('doc-security', 'Security whitepaper', chunkDocument(SECURITY));
  return idx;
}

const top = (idx: Bm25Index, q: string) => {
  const [hit] = idx.search(q, 3);
  return hit ? `${hit.documentId}: ${hit.text.split('\n')[2] ?? ''}` : undefined;
};

describe('BM25 retrieval', () => {
  it.each([
    ['When does the refund arrive after I return an order?', '## Refunds'],
    ['can i pay by credit card', '## Payment methods'],
    ['do you accept cheques?', '## Payment methods'],
    ['how long does express shipping take to deliver', '## Delivery times'],
    ['is my personal data deleted, and where is it stored?', '## Data protection'],
    ['which identity providers work with SSO (okta)?', '## Single sign-on'],
    ['are the encryption keys rotated', '## Encryption'],
    ['encyption at rest', '## Encryption'],
    ['cafe', '## Café menu'],
  ])('ranks the passage that answers %j first', (query, heading) => {
    const idx = index();
    const [hit] = idx.search(query, 3);
    expect(hit, query).toBeDefined();
    expect(hit!.text, top(idx, query)).toContain(heading);
  });

  it('answers nothing for a query of stop words only, or of terms no passage has', () => {
    const idx = index();
    expect(idx.search('what is the', 5)).toEqual([]);
    expect(idx.search('zymurgy', 5)).toEqual([]);
  });

  it('keeps the k best, best first, with the document title and chunk number', () => {
    const hits = index().search('data', 2);
    expect(hits.length).toBe(2);
    expect(hits[0]!.score).toBeGreaterThanOrEqual(hits[1]!.score);
    expect(hits[0]).toMatchObject({
      documentId: expect.any(String),
      chunk: expect.any(Number),
      title: expect.any(String),
    });
  });

  it('survives its JSON: the same hits after a round trip', () => {
    const idx = index();
    const again = Bm25Index.fromJson(idx.toJson());
    expect(again.search('refund for damaged items', 3)).toEqual(idx.search('refund for damaged items', 3));
    expect(again.size).toBe(idx.size);
  });

  it('removes a document: its passages are found no more, the others still are', () => {
    const idx = index();
    const chunks = chunkDocument(SECURITY).length;
    expect(idx.removeDocument('doc-security', chunks)).toBe(chunks);
    expect(idx.search('single sign-on okta', 5).every((h) => h.documentId === 'doc-handbook')).toBe(true);
    expect(idx.search('refund', 1)[0]?.documentId).toBe('doc-handbook');
    expect(idx.removeDocument('doc-security', chunks)).toBe(0);
  });

  it('folds case and accents, drops stop words and folds plurals to their singular', () => {
    expect(processTerm('Café')).toBe('cafe');
    expect(processTerm('THE')).toBeNull();
    expect(processTerm('x')).toBeNull();
    expect(processTerm('7')).toBe('7');
    expect(['policies', 'refunds', 'boxes', 'status', 'class', 'heroes', 'bus', 'v2s'].map(sStem)).toEqual([
      'policy',
      'refund',
      'boxe',
      'status',
      'class',
      // The first rule whose exceptions do not hold applies: -oes is not -es → -e, so -s goes.
      'heroe',
      'bus',
      'v2s',
    ]);
  });
});
