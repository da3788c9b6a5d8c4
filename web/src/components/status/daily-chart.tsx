// 30-day bar chart as inline SVG (no chart library). Screen readers get a summary via <title>/<desc>
// and the full numbers in a visually hidden table.
import { useId } from 'react';
import { BlockStack, InlineStack, Text } from '@shopify/polaris';
import type { DailyCount } from '../../api-types.js';
import { formatCount, formatDay } from '../../format.js';

// Two Polaris data-viz-like colours with enough contrast against each other and the card.
const COLORS = { shopifyToEdrone: '#2c6ecb', edroneToShopify: '#b98900' } as const;

const WIDTH = 600;
const HEIGHT = 160;

interface Props {
  daily: DailyCount[];
}

export function DailyChart({ daily }: Props) {
  const uid = useId();
  const titleId = `${uid}-title`;
  const descId = `${uid}-desc`;
  const peak = Math.max(0, ...daily.map((d) => d.shopifyToEdrone + d.edroneToShopify));
  const max = Math.max(1, peak);
  const slot = WIDTH / Math.max(1, daily.length);
  const barWidth = Math.max(2, slot * 0.7);
  const plotHeight = HEIGHT - 1;
  const totals = daily.reduce(
    (acc, d) => ({ s: acc.s + d.shopifyToEdrone, e: acc.e + d.edroneToShopify }),
    { s: 0, e: 0 },
  );
  const first = daily[0];
  const last = daily[daily.length - 1];
  const summary =
    daily.length === 0
      ? 'No data yet.'
      : `From ${formatDay(first?.date ?? '')} to ${formatDay(last?.date ?? '')}: ${formatCount(totals.s)} changes Shopify to edrone and ${formatCount(totals.e)} changes edrone to Shopify. Busiest day: ${formatCount(peak)} changes.`;

  return (
    <BlockStack gap="200">
      <svg
        className="ecs-chart"
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        // Stretch to the card width; there is no text inside the SVG that could distort.
        preserveAspectRatio="none"
        aria-labelledby={`${titleId} ${descId}`}
        data-testid="daily-chart"
      >
        <title id={titleId}>Changes synced per day, last 30 days</title>
        <desc id={descId}>{summary}</desc>
        <line x1={0} y1={plotHeight} x2={WIDTH} y2={plotHeight} stroke="#8a8a8a" strokeWidth={1} />
        {daily.map((d, i) => {
          const x = i * slot + (slot - barWidth) / 2;
          const hS = (d.shopifyToEdrone / max) * (plotHeight - 4);
          const hE = (d.edroneToShopify / max) * (plotHeight - 4);
          return (
            <g key={d.date}>
              <title>{`${formatDay(d.date)}: ${formatCount(d.shopifyToEdrone)} Shopify → edrone, ${formatCount(d.edroneToShopify)} edrone → Shopify`}</title>
              {/* Transparent full-height hit area so the tooltip works on days with few changes. */}
              <rect x={i * slot} y={0} width={slot} height={plotHeight} fill="transparent" />
              <rect x={x} y={plotHeight - hS} width={barWidth} height={hS} fill={COLORS.shopifyToEdrone} />
              <rect x={x} y={plotHeight - hS - hE} width={barWidth} height={hE} fill={COLORS.edroneToShopify} />
            </g>
          );
        })}
      </svg>
      <div className="ecs-chart-axis" aria-hidden="true">
        <span>{first ? formatDay(first.date) : ''}</span>
        <span>{last ? formatDay(last.date) : ''}</span>
      </div>
      <InlineStack gap="400">
        <InlineStack gap="100" blockAlign="center">
          <span className="ecs-swatch" style={{ background: COLORS.shopifyToEdrone }} aria-hidden="true" />
          <Text as="span" variant="bodySm">
            Shopify → edrone
          </Text>
        </InlineStack>
        <InlineStack gap="100" blockAlign="center">
          <span className="ecs-swatch" style={{ background: COLORS.edroneToShopify }} aria-hidden="true" />
          <Text as="span" variant="bodySm">
            edrone → Shopify
          </Text>
        </InlineStack>
        <Text as="span" variant="bodySm" tone="subdued">
          Busiest day: {formatCount(peak)}
        </Text>
      </InlineStack>
      <table className="ecs-visually-hidden" data-testid="daily-table">
        <caption>Changes synced per day, last 30 days</caption>
        <thead>
          <tr>
            <th scope="col">Day</th>
            <th scope="col">Shopify to edrone</th>
            <th scope="col">edrone to Shopify</th>
          </tr>
        </thead>
        <tbody>
          {daily.map((d) => (
            <tr key={d.date}>
              <th scope="row">{d.date}</th>
              <td>{formatCount(d.shopifyToEdrone)}</td>
              <td>{formatCount(d.edroneToShopify)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </BlockStack>
  );
}
