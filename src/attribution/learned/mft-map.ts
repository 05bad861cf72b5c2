/**
 * How the learned detector reads the concepts of `mft-6` (Moral Foundations), which have no labelled
 * data here: each MFT concept is mapped, by its definition, to the Touché level-1 values that express
 * the same concern, and is detected when any of them is. Its probability is the largest of theirs
 * (uncalibrated for MFT: a proxy, documented in docs/value-detector.md), its spans theirs.
 */
export const MFT_CONCEPT_MAP: Readonly<Record<string, readonly string[]>> = {
  show_compassion: ['Be helpful', 'Be loving', 'Be forgiving'],
  protect_the_vulnerable: ['Be helpful', 'Be just', 'Have good health'],
  prevent_harm: ['Have good health', 'Have a world at peace', 'Be helpful'],
  play_fair: ['Be honest', 'Be just'],
  treat_people_equally: ['Have equality', 'Have the wisdom to accept others', 'Be broadminded'],
  give_people_their_due: ['Be just', 'Be capable'],
  stand_by_the_group: [
    'Have loyalty towards friends',
    'Have a sense of belonging',
    'Have the own family secured',
  ],
  love_of_country: ['Have a safe country', 'Have a sense of belonging'],
  sacrifice_for_the_group: ['Be responsible', 'Have loyalty towards friends', 'Be helpful'],
  respect_authority: ['Be compliant', 'Be honoring elders'],
  keep_social_order: ['Have a stable society', 'Be compliant', 'Be behaving properly'],
  honour_roles_and_traditions: ['Be respecting traditions', 'Be behaving properly'],
  keep_purity: ['Be self-disciplined', 'Be neat and tidy', 'Be holding religious faith'],
  hold_things_sacred: ['Be holding religious faith', 'Be respecting traditions'],
  avoid_degradation: ['Be behaving properly', 'Have a good reputation', 'Be holding religious faith'],
  resist_oppression: ['Have equality', 'Be just', 'Have freedom of action'],
  protect_personal_autonomy: [
    'Be independent',
    'Have freedom of action',
    'Have freedom of thought',
    'Be choosing own goals',
    'Have privacy',
  ],
  limit_coercion: ['Have freedom of action', 'Have freedom of thought', 'Be independent'],
};
