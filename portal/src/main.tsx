import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { MantineProvider, createTheme } from "@mantine/core";
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
const theme = createTheme({ primaryColor: "indigo", respectReducedMotion: true });

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
