import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { MantineProvider, Modal, Notification, createTheme } from "@mantine/core";
import { DatesProvider } from "@mantine/dates";
import { Notifications } from "@mantine/notifications";
import "@mantine/core/styles.css";
import "@mantine/notifications/styles.css";
import "@mantine/dates/styles.css";
import "./styles.css";
import "./i18n/dates";
import { App } from "./App";

// System fonts only: nothing is loaded from elsewhere.
// Motion only for those who have not asked their system for less (and none in the tests).
// Contrast of WCAG 2.1 AA (4.5:1 for text): the primary shade 8 under white text, and
// the close buttons of dialogs and notifications named for screen readers.
const theme = createTheme({
  primaryColor: "indigo",
  primaryShade: 8,
  respectReducedMotion: true,
  components: {
    Modal: Modal.extend({ defaultProps: { closeButtonProps: { "aria-label": "Zamknij" } } }),
    Notification: Notification.extend({ defaultProps: { closeButtonProps: { "aria-label": "Zamknij" } } }),
  },
});

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <MantineProvider theme={theme} defaultColorScheme="light">
      <DatesProvider settings={{ locale: "pl", firstDayOfWeek: 1 }}>
        <Notifications />
        <App />
      </DatesProvider>
    </MantineProvider>
  </StrictMode>,
);
