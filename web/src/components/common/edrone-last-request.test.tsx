// @vitest-environment jsdom
import '../../test/setup.js';
import { screen } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import { mockFetch, type FetchMock } from '../../test/mock-fetch.js';
import { renderWithPolaris } from '../../test/render.js';
import { EdroneLastRequest } from './edrone-last-request.js';

let fetchMock: FetchMock;
beforeEach(() => {
  window.__SESSION_TOKEN__ = 'test-token';
  fetchMock = mockFetch();
});

describe('Last request from edrone', () => {
  it('a rejected request shows its reason in merchant words', async () => {
    const at = new Date(Date.now() - 60_000).toISOString();
    fetchMock.on('GET /api/edrone-connection', {
      body: { last: { outcome: 'rejected', at, reason: 'Signature does not match: check the App Secret.' }, lastAcceptedAt: null, recentRejections: [{ at, reason: 'Signature does not match: check the App Secret.' }] },
    });
    renderWithPolaris(<EdroneLastRequest liveMs={0} />);
    const box = await screen.findByTestId('edrone-last-request');
    expect(box.getAttribute('data-outcome')).toBe('rejected');
    expect(box.textContent).toContain('Signature does not match: check the App Secret.');
    expect(box.textContent).toContain('1 minute ago');
  });

  it('an accepted request says when', async () => {
    fetchMock.on('GET /api/edrone-connection', {
      body: { last: { outcome: 'accepted', at: new Date(Date.now() - 3 * 60_000).toISOString(), reason: null }, lastAcceptedAt: null, recentRejections: [] },
    });
    renderWithPolaris(<EdroneLastRequest liveMs={0} />);
    expect((await screen.findByTestId('edrone-last-request')).textContent).toBe('Last request from edrone: accepted 3 minutes ago.');
  });
});
