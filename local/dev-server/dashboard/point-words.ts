/**
 * The point forecast against "no change" in words. One hour ahead the direction of the move is not
 * forecastable (docs/forecast.md): a point forecast that ties "next close = last close" is the expected
 * result, not a failure, so a skill near 0 is said plainly, without the page's red. Pure: the pages and
 * their tests build the same sentences.
 */

/** |skill| below this is a tie with the naive forecast: within 5% of its error. */
export const TIE_SKILL = 0.05;

export type PointTone = 'good' | 'bad' | 'plain';

export interface PointVerdict {
  readonly text: string;
  readonly tone: PointTone;
}

/** `skill` as the page writes it: three decimals, the minus as U+2212. */
export function skillText(skill: number): string {
  const text = Math.abs(skill).toFixed(3);
  // No sign on a skill that rounds to zero: "−0.000" would argue about nothing.
  return `${skill < 0 && text !== '0.000' ? '\u2212' : ''}${text}`;
}

export function pointVerdict(skill: number | null, testMae: number, naiveMae: number): PointVerdict {
  if (skill === null) {
    return { text: 'Skill undefined: the naive forecast made no error on the test windows.', tone: 'plain' };
  }
  if (Math.abs(skill) < TIE_SKILL) {
    return {
      text:
        `Ties predicting no change (skill ${skillText(skill)}): the expected result one hour ahead, where ` +
        'the direction of the move is not forecastable. What the model adds is the range below.',
      tone: 'plain',
    };
  }
  if (skill < 0) {
    return {
      text: `Worse than predicting no change: on its test windows this model\u2019s error is ${(testMae / naiveMae).toFixed(2)}\u00d7 that of "next close = last close".`,
      tone: 'bad',
    };
  }
  return {
    text: `Better than predicting no change: its error is ${(100 * skill).toFixed(1)}% below that of "next close = last close".`,
    tone: 'good',
  };
}
